include { SIMULATE } from '../../simulate/main'
include { SPLIT    } from '../../split/main'
include { FIT      } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    SPLIT(channel.of([ id: 'BRCA', cancer: 'BRCA', missing_rate: 0.3, replicate: 1 ]).combine(cohort))
    FIT(
        SPLIT.out.split
            .combine(channel.of('mean', 'tdimpute-self'))
            .combine(cohort)
            .map { meta, split, method, file -> [ meta + [ id: "BRCA_${method}", method: method ], file, split, [] ] }
    )
}
