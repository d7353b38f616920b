include { SIMULATE } from '../../simulate/main'
include { SPLIT    } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    SPLIT(channel.of([ id: 'BRCA_half', cancer: 'BRCA', missing_rate: 0.5, replicate: 2 ]).combine(cohort))
}
