include { SIMULATE } from '../../simulate/main'
include { FIT      } from '../../fit/main'
include { IMPUTE   } from '../../impute/main'
include { COMPLETE } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    FIT(cohort.map { file -> [ [ id: 'LUAD_mean', cancer: 'LUAD', method: 'mean' ], file, [], [] ] })
    IMPUTE(FIT.out.model.combine(cohort).map { meta, model, file -> [ meta, model, file, [] ] })
    COMPLETE(IMPUTE.out.imputed.combine(cohort))
}
