include { PREPROCESS_POOL  } from '../main'
include { samplesheetFiles } from '../../../../subworkflows/local/prepare_cohort/main'

workflow {
    def sheet = "${projectDir}/../../../../assets/test_data/samplesheet/samplesheet.csv"
    PREPROCESS_POOL(channel.of([ [ id: 'cohort' ] ] + samplesheetFiles('input', sheet) + [ [] ]))
}
