include { SIMULATE } from '../../simulate/main'
include { PRETRAIN } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    PRETRAIN(channel.of([ id: 'BRCA', cancer: 'BRCA' ]).combine(cohort))
}
