include { PREPROCESS } from '../main'

workflow {
    data = "${projectDir}/../../../../assets/test_data"
    PREPROCESS(Channel.of([ [ id: 'xena' ], file("${data}/methylation.tsv.gz"),
                            file("${data}/expression.tsv.gz"), file("${data}/clinical.tsv") ]))
}
