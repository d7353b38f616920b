/*
 * The pan-cancer network each target cancer starts from: trained on every other cancer of the
 * cohort (exclude_target), or one network on the whole cohort for all targets (when the
 * targets are in an external cohort), or the --pretrained_model given.
 */
include { PRETRAIN } from '../../../modules/local/pretrain/main'

workflow PRETRAINED_NETWORKS {
    take:
    cancers        // channel: cancer type names
    cohort         // value channel: the cohort file to pretrain on
    exclude_target // boolean: leave each target cancer out of its network
    main:
    ch_versions = channel.empty()
    if (params.pretrained_model) {
        ch_models = cancers.map { cancer -> [ cancer, file(params.pretrained_model) ] }
    } else if (exclude_target) {
        PRETRAIN(cancers.map { cancer -> [ [ id: cancer, cancer: cancer ] ] }.combine(cohort))
        ch_models   = PRETRAIN.out.model.map { meta, model -> [ meta.cancer, model ] }
        ch_versions = PRETRAIN.out.versions
    } else {
        PRETRAIN(channel.of([ [ id: 'pan_cancer', cancer: null ] ]).combine(cohort))
        ch_models   = cancers.combine(PRETRAIN.out.model.map { _meta, model -> model })
        ch_versions = PRETRAIN.out.versions
    }

    emit:
    models   = ch_models     // channel: [ cancer, model folder ]
    versions = ch_versions
}
