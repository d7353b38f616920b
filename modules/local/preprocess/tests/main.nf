include { PREPROCESS } from '../main'

workflow {
    data = "${projectDir}/../../../../assets/test_data"
    PREPROCESS(channel.of([ [ id: 'xena' ], file("${data}/methylation.tsv.gz"),
                            file("${data}/expression.tsv.gz"), file("${data}/clinical.tsv") ]))
}
