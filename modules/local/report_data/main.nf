process REPORT_DATA {
    label 'process_single'

    input:
    path cohort_summaries // cohort summary JSON files
    path accuracy         // benchmark_summary.tsv, or [] in impute mode
    path downstream       // downstream_summary.tsv, or []
    path models           // <name>.model.json files, or []
    path completed        // COMPLETE folders, or []
    path reliability      // <run>.reliability.tsv files, or []
    path downstream_runs  // DOWNSTREAM folders whose Kaplan-Meier curves are shown, or []
    path versions_file    // software_versions.yml
    path parameters       // the run's parameters as JSON

    output:
    path "report_data/*", emit: files
    path "versions.yml" , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args    = task.ext.args ?: ''
    def options = [
        repeatOption('--cohort-summary', cohort_summaries),
        repeatOption('--accuracy', accuracy),
        repeatOption('--downstream', downstream),
        repeatOption('--model', models),
        repeatOption('--completed', completed),
        repeatOption('--reliability', reliability),
        repeatOption('--downstream-run', downstream_runs),
    ].flatten().join(' ')
    """
    tdimpute report-data \\
        --out report_data \\
        --versions ${versions_file} \\
        --parameters ${parameters} \\
        ${options} \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    """
    mkdir report_data && touch report_data/cohorts_mqc.tsv
    tdimpute versions --process "${task.process}" > versions.yml
    """
}

/** `option FILE` for each staged file: one staged file is a Path, several a list. */
def repeatOption(option, files) {
    return [files].flatten().collect { staged -> "${option} ${staged}" }
}
