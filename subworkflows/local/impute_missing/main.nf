/*
 * IMPUTE mode: per target cancer, fit the method on every sample that has expression, impute
 * the samples that have none, and run the survival analysis of the completed cohort. The
 * transfer methods start from a network pretrained on `pool`: without each target cancer when
 * the targets are in it, on all of it when they are in an external cohort.
 */
include { PRETRAINED_NETWORKS } from '../pretrained_networks/main'
include { FIT                 } from '../../../modules/local/fit/main'
include { IMPUTE              } from '../../../modules/local/impute/main'
include { COMPLETE            } from '../../../modules/local/complete/main'

workflow IMPUTE_MISSING {
    take:
    cancers          // list of cancer type names
    method           // the method's name
    transfer_methods // methods that start from a pretrained network
    cohort           // value channel: the cohort holding the target cancers
    pool             // value channel: the cohort to pretrain on (the same, or the pool of an external cohort)
    external         // boolean: the targets are not in the pool

    main:
    ch_runs = channel.fromList(cancers).map { cancer -> [ id: "${cancer}_${method}", cancer: cancer, method: method ] }
    ch_versions = channel.empty()
    ch_pretrained = channel.empty()
    if (method in transfer_methods) {
        PRETRAINED_NETWORKS(channel.fromList(cancers), pool, !external)
        ch_fit = ch_runs.map { meta -> [ meta.cancer, meta ] }
            .combine(PRETRAINED_NETWORKS.out.models, by: 0)
            .combine(cohort)
            .map { _cancer, meta, model, file -> [ meta, file, [], model ] }
        ch_versions = ch_versions.mix(PRETRAINED_NETWORKS.out.versions)
        ch_pretrained = PRETRAINED_NETWORKS.out.models
    } else {
        ch_fit = ch_runs.combine(cohort).map { meta, file -> [ meta, file, [], [] ] }
    }
    FIT(ch_fit)
    IMPUTE(FIT.out.model.combine(cohort).map { meta, model, file -> [ meta, model, file, [] ] })
    COMPLETE(IMPUTE.out.imputed.combine(cohort))
    ch_versions = ch_versions.mix(FIT.out.versions, IMPUTE.out.versions, COMPLETE.out.versions)

    emit:
    imputed     = IMPUTE.out.imputed
    reliability = IMPUTE.out.reliability
    completed   = COMPLETE.out.results
    models      = FIT.out.model.map { meta, model -> [ meta.id, model ] }
        .mix(ch_pretrained.map { cancer, model -> [ "${cancer}_pretrained", model ] })
    versions    = ch_versions
}
