include { REPORT_DATA } from '../../report_data/main'
include { MULTIQC     } from '../main'

workflow {
    def data = "${projectDir}/../../report_data/tests/data"
    REPORT_DATA(
        file("${data}/simulated.summary.json"),
        file("${data}/benchmark_summary.tsv"),
        file("${data}/downstream_summary.tsv"),
        file("${data}/*.model.json"),
        [ file("${data}/completed_BRCA") ],
        file("${data}/*.reliability.tsv"),
        file("${data}/rmse_by_missing_rate.png"),
        [],
        file("${data}/software_versions.yml"),
        file("${data}/parameters.json"),
    )
    MULTIQC(REPORT_DATA.out.files, file("${projectDir}/../../../../assets/multiqc_config.yml"))
}
