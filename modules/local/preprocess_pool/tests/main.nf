include { PREPROCESS_POOL   } from '../main'
include { samplesheetInput  } from '../../../../subworkflows/local/prepare_cohort/main'

workflow {
    PREPROCESS_POOL(Channel.of(samplesheetInput("${projectDir}/../../../../assets/test_data/samplesheet/samplesheet.csv") + [ [] ]))
}
