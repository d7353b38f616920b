include { REPORT_DATA } from '../main'

workflow {
    def data = "${projectDir}/data"
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
    REPORT_DATA.out.files.flatten().collectFile(storeDir: "${params.outdir}/report_data") { written -> [ written.name, written ] }
}
