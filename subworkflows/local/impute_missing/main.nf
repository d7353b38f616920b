/*
 * IMPUTE mode: per target cancer, fit the method on every sample that has expression, impute
 * the samples that have none, and run the survival analysis of the completed cohort, each task
 * staging its cancer's file alone. The transfer methods start from a network pretrained on
 * `pool`: without each target cancer when the targets are in it, on all of it when they are
 * in an external cohort.
 */
include { PRETRAINED_NETWORKS } from '../pretrained_networks/main'
include { FIT                 } from '../../../modules/local/fit/main'
include { IMPUTE              } from '../../../modules/local/impute/main'
include { COMPLETE            } from '../../../modules/local/complete/main'

workflow IMPUTE_MISSING {
    take:
    cancer_cohorts   // channel: [ cancer, the cohort of its samples alone ]
    method           // the method's name
    registry         // map: method -> its entry in assets/methods.json (uses_pretrained, trains_network)
    pool             // value channel: the cohort to pretrain on (the targets' own, or the pool of an external cohort)
    external         // boolean: the targets are not in the pool

    main:
    def network = registry[method].trains_network // the gpu profile gives these tasks the GPU
    ch_runs = cancer_cohorts.map { cancer, cohort -> [ cancer, [ id: "${cancer}_${method}", cancer: cancer, method: method, network: network ], cohort ] }
    ch_versions = channel.empty()
    ch_pretrained = channel.empty()
    if (registry[method].uses_pretrained) {
        PRETRAINED_NETWORKS(cancer_cohorts.map { cancer, _cohort -> cancer }, pool, !external)
        ch_fit = ch_runs
            .combine(PRETRAINED_NETWORKS.out.models, by: 0)
            .map { _cancer, meta, cohort, model -> [ meta, cohort, [], model ] }
        ch_versions = ch_versions.mix(PRETRAINED_NETWORKS.out.versions)
        ch_pretrained = PRETRAINED_NETWORKS.out.models
    } else {
        ch_fit = ch_runs.map { _cancer, meta, cohort -> [ meta, cohort, [], [] ] }
    }
    FIT(ch_fit)
    ch_fitted = FIT.out.model
        .map { meta, model -> [ meta.cancer, meta, model ] }
        .combine(cancer_cohorts, by: 0)
    IMPUTE(ch_fitted.map { _cancer, meta, model, cohort -> [ meta, model, cohort, [] ] })
    COMPLETE(
        IMPUTE.out.imputed
            .join(FIT.out.model)
            .map { meta, imputed, model -> [ meta.cancer, meta, imputed, model ] }
            .combine(cancer_cohorts, by: 0)
            .map { _cancer, meta, imputed, model, cohort -> [ meta, imputed, cohort, model ] }
    )
    ch_versions = ch_versions.mix(FIT.out.versions, IMPUTE.out.versions, COMPLETE.out.versions)

    emit:
    imputed     = IMPUTE.out.imputed
    reliability = IMPUTE.out.reliability
    intervals   = IMPUTE.out.intervals
    completed   = COMPLETE.out.results
    models      = FIT.out.model.map { meta, model -> [ meta.id, model ] }
        .mix(ch_pretrained.map { cancer, model -> [ "${cancer}_pretrained", model ] })
    versions    = ch_versions
}
