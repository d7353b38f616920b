/*
 * The run's HTML report: REPORT_DATA turns the outputs into MultiQC custom content, MULTIQC
 * renders it into one self-contained HTML file.
 */
include { REPORT_DATA } from '../../../modules/local/report_data/main'
include { MULTIQC     } from '../../../modules/local/multiqc/main'

workflow REPORT {
    take:
    cohort_summaries // channel: cohort summary JSON files
    accuracy         // channel: benchmark_summary.tsv (empty in impute mode)
    downstream       // channel: downstream_summary.tsv (empty in impute mode)
    models           // channel: [ name, model folder ]
    completed        // channel: COMPLETE folders (empty in benchmark mode)
    reliability      // channel: <run>.reliability.tsv of IMPUTE (empty in benchmark mode)
    downstream_runs  // channel: DOWNSTREAM folders whose Kaplan-Meier curves to show (empty in impute mode)
    versions         // channel: software_versions.yml
    options          // map: the run's parameters, each as its schema type (typedParams)

    main:
    // Only the model.json of each model travels to the report, named after its run.
    ch_model_specs = models
        .collectFile { name, folder -> [ "${name}.model.json", folder.resolve('model.json').text ] }
        .collect().ifEmpty([])
    // The run's start time names its trace files; it is no parameter of the analysis, and a
    // resumed run must find the report's inputs unchanged.
    def analysis_params = options.findAll { name, _value -> !(name in ['trace_report_suffix', 'traceReportSuffix']) }
    ch_parameters = channel.of(groovy.json.JsonOutput.prettyPrint(groovy.json.JsonOutput.toJson(analysis_params)))
        .collectFile(name: 'parameters.json')

    REPORT_DATA(
        cohort_summaries.collect(),
        accuracy.ifEmpty([]),
        downstream.ifEmpty([]),
        ch_model_specs,
        completed.collect().ifEmpty([]),
        reliability.collect().ifEmpty([]),
        downstream_runs.collect().ifEmpty([]),
        versions,
        ch_parameters,
    )
    MULTIQC(REPORT_DATA.out.files, file("${projectDir}/assets/multiqc_config.yml", checkIfExists: true))

    // The report shows the versions of the analysis; its own two processes are not in it.
    emit:
    report   = MULTIQC.out.report
}
