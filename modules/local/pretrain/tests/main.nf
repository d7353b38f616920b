include { SIMULATE } from '../../simulate/main'
include { PRETRAIN } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { meta, file -> file }
    PRETRAIN(Channel.of([ id: 'BRCA', cancer: 'BRCA' ]).combine(cohort))
}
