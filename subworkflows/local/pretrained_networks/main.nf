/*
 * One pan-cancer network per target cancer, trained on every other cancer of the cohort
 * (or the --pretrained_model given), for the methods that start from it.
 */
include { PRETRAIN } from '../../../modules/local/pretrain/main'

workflow PRETRAINED_NETWORKS {
    take:
    cancers   // channel: cancer type names
    cohort    // value channel: the cohort file

    main:
    ch_versions = Channel.empty()
    if (params.pretrained_model) {
        ch_models = cancers.map { [ it, file(params.pretrained_model, checkIfExists: true) ] }
    } else {
        PRETRAIN(cancers.map { [ [ id: it, cancer: it ] ] }.combine(cohort))
        ch_models   = PRETRAIN.out.model.map { meta, model -> [ meta.cancer, model ] }
        ch_versions = PRETRAIN.out.versions
    }

    emit:
    models   = ch_models     // channel: [ cancer, model folder ]
    versions = ch_versions
}
