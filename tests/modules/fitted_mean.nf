/*
 * Shared by module tests: a simulated cohort, one BRCA split and a mean model fitted on it.
 */
include { SIMULATE } from '../../modules/local/simulate/main'
include { SPLIT    } from '../../modules/local/split/main'
include { FIT      } from '../../modules/local/fit/main'

workflow FITTED_MEAN {
    main:
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    SPLIT(channel.of([ id: 'BRCA', cancer: 'BRCA', missing_rate: 0.3, replicate: 1 ]).combine(cohort))
    FIT(SPLIT.out.split.combine(cohort).map { meta, split, file -> [ meta + [ id: 'BRCA_mean', method: 'mean' ], file, split, [] ] })

    emit:
    cohort = cohort                                  // path
    split  = SPLIT.out.split.map { _meta, split -> split } // path
    model  = FIT.out.model                           // [ meta, model ]
}
