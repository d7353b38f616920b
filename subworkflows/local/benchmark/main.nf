/*
 * BENCHMARK mode, the paper's protocol: per target cancer, pretrain on the pool without it;
 * then for each missing rate and replicate one split, and for every method fit, impute,
 * evaluate and run the downstream analyses on that same split.
 */
include { PRETRAINED_NETWORKS } from '../pretrained_networks/main'
include { SPLIT               } from '../../../modules/local/split/main'
include { FIT                 } from '../../../modules/local/fit/main'
include { IMPUTE              } from '../../../modules/local/impute/main'
include { EVALUATE            } from '../../../modules/local/evaluate/main'
include { DOWNSTREAM          } from '../../../modules/local/downstream/main'
include { SUMMARIZE           } from '../../../modules/local/summarize/main'
include { SUMMARIZE as SUMMARIZE_DOWNSTREAM } from '../../../modules/local/summarize/main'

workflow BENCHMARK {
    take:
    cancers          // list of cancer type names
    methods          // list of method names
    transfer_methods // methods that start from a pretrained network
    cohort           // value channel: the cohort file

    main:
    ch_versions = channel.empty()

    // One split per (cancer, missing rate, replicate), shared by every method.
    ch_designs = channel.fromList(cancers)
        .combine(channel.fromList(params.missing_rates.toString().tokenize(',')*.trim()))
        .combine(channel.fromList(1..params.replicates as List))
        .map { cancer, rate, replicate ->
            [ [ id: "${cancer}_rate${rate}_rep${replicate}", cancer: cancer,
                missing_rate: rate, replicate: replicate ] ]
        }
    SPLIT(ch_designs.combine(cohort))
    ch_versions = ch_versions.mix(SPLIT.out.versions)

    ch_pretrained = channel.empty()
    if (methods.any { method -> method in transfer_methods }) {
        PRETRAINED_NETWORKS(channel.fromList(cancers), cohort, true)
        ch_pretrained = PRETRAINED_NETWORKS.out.models
        ch_versions   = ch_versions.mix(PRETRAINED_NETWORKS.out.versions)
    }

    ch_runs = SPLIT.out.split
        .combine(channel.fromList(methods))
        .map { meta, split, method -> [ meta + [ id: "${meta.id}_${method}", method: method ], split ] }
        .branch { meta, _split -> transfer: meta.method in transfer_methods; other: true }
    // Key the transfer runs by cancer to meet their pretrained network.
    ch_fit_transfer = ch_runs.transfer
        .map { meta, split -> [ meta.cancer, meta, split ] }
        .combine(ch_pretrained, by: 0)
        .combine(cohort)
        .map { _cancer, meta, split, model, file -> [ meta, file, split, model ] }
    ch_fit_other = ch_runs.other
        .combine(cohort)
        .map { meta, split, file -> [ meta, file, split, [] ] }
    FIT(ch_fit_transfer.mix(ch_fit_other))
    ch_versions = ch_versions.mix(FIT.out.versions)

    ch_splits_by_id = ch_runs.transfer.mix(ch_runs.other).map { meta, split -> [ meta.id, split ] }
    IMPUTE(
        FIT.out.model
            .map { meta, model -> [ meta.id, meta, model ] }
            .join(ch_splits_by_id)
            .combine(cohort)
            .map { _id, meta, model, split, file -> [ meta, model, file, split ] }
    )
    ch_versions = ch_versions.mix(IMPUTE.out.versions)

    ch_imputed = IMPUTE.out.imputed
        .map { meta, imputed -> [ meta.id, meta, imputed ] }
        .join(ch_splits_by_id)
        .combine(cohort)
        .map { _id, meta, imputed, split, file -> [ meta, imputed, file, split ] }
    EVALUATE(ch_imputed)
    ch_versions = ch_versions.mix(EVALUATE.out.versions)

    // The same analyses on true and imputed expression of each split's test samples.
    DOWNSTREAM(ch_imputed, params.prognostic_genes ? file(params.prognostic_genes) : [])
    ch_versions = ch_versions.mix(DOWNSTREAM.out.versions)

    SUMMARIZE(EVALUATE.out.metrics.map { _meta, metrics -> metrics }.collect())
    SUMMARIZE_DOWNSTREAM(DOWNSTREAM.out.summary.map { _meta, summary -> summary }.collect())
    ch_versions = ch_versions.mix(SUMMARIZE.out.versions, SUMMARIZE_DOWNSTREAM.out.versions)

    emit:
    summary    = SUMMARIZE.out.summary
    downstream = SUMMARIZE_DOWNSTREAM.out.summary
    figures    = SUMMARIZE.out.plots.mix(SUMMARIZE_DOWNSTREAM.out.plots).flatten()
    analyses   = DOWNSTREAM.out.results                                   // [ meta, folder ]
    models     = FIT.out.model.map { meta, model -> [ meta.id, model ] }
        .mix(ch_pretrained.map { cancer, model -> [ "${cancer}_pretrained", model ] })
    versions   = ch_versions
}
