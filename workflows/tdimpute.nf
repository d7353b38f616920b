/*
 * BENCHMARK mode, the paper's protocol: per target cancer, pretrain on the pool without it;
 * then for each missing rate and replicate one split, and for every method fit, impute,
 * evaluate and run the downstream analyses on that same split.
 */
include { PREPARE_COHORT } from '../subworkflows/local/prepare_cohort'
include { SPLIT          } from '../modules/local/split/main'
include { PRETRAIN       } from '../modules/local/pretrain/main'
include { FIT            } from '../modules/local/fit/main'
include { IMPUTE         } from '../modules/local/impute/main'
include { EVALUATE       } from '../modules/local/evaluate/main'
include { DOWNSTREAM     } from '../modules/local/downstream/main'
include { SUMMARIZE      } from '../modules/local/summarize/main'
include { SUMMARIZE as SUMMARIZE_DOWNSTREAM } from '../modules/local/summarize/main'

// Methods that start from the pan-cancer pretrained network.
def TRANSFER_METHODS = ['tdimpute', 'tdimpute-notf']

workflow TDIMPUTE {
    main:
    def methods = params.methods.tokenize(',')*.trim()
    def cancers = params.target_cancers.tokenize(',')*.trim()

    PREPARE_COHORT()
    ch_cohort   = PREPARE_COHORT.out.cohort.map { meta, cohort -> cohort }.first()
    ch_versions = PREPARE_COHORT.out.versions

    // One split per (cancer, missing rate, replicate), shared by every method.
    ch_designs = Channel.fromList(cancers)
        .combine(Channel.fromList(params.missing_rates.toString().tokenize(',')*.trim()))
        .combine(Channel.fromList(1..params.replicates as List))
        .map { cancer, rate, replicate ->
            [ [ id: "${cancer}_rate${rate}_rep${replicate}", cancer: cancer,
                missing_rate: rate, replicate: replicate ] ]
        }
    SPLIT(ch_designs.combine(ch_cohort))
    ch_versions = ch_versions.mix(SPLIT.out.versions)

    // One pretrained network per target cancer, reused by every rate and replicate.
    ch_pretrained = Channel.empty()
    if (methods.any { it in TRANSFER_METHODS }) {
        if (params.pretrained_model) {
            ch_pretrained = Channel.fromList(cancers).map { [ it, file(params.pretrained_model, checkIfExists: true) ] }
        } else {
            PRETRAIN(Channel.fromList(cancers).map { [ [ id: it, cancer: it ] ] }.combine(ch_cohort))
            ch_pretrained = PRETRAIN.out.model.map { meta, model -> [ meta.cancer, model ] }
            ch_versions   = ch_versions.mix(PRETRAIN.out.versions)
        }
    }

    ch_runs = SPLIT.out.split
        .combine(Channel.fromList(methods))
        .map { meta, split, method -> [ meta + [ id: "${meta.id}_${method}", method: method ], split ] }
        .branch { meta, split -> transfer: meta.method in TRANSFER_METHODS; other: true }
    // Key the transfer runs by cancer to meet their pretrained network.
    ch_fit_transfer = ch_runs.transfer
        .map { meta, split -> [ meta.cancer, meta, split ] }
        .combine(ch_pretrained, by: 0)
        .combine(ch_cohort)
        .map { cancer, meta, split, model, cohort -> [ meta, cohort, split, model ] }
    ch_fit_other = ch_runs.other
        .combine(ch_cohort)
        .map { meta, split, cohort -> [ meta, cohort, split, [] ] }
    FIT(ch_fit_transfer.mix(ch_fit_other))
    ch_versions = ch_versions.mix(FIT.out.versions)

    ch_splits_by_id = ch_runs.transfer.mix(ch_runs.other).map { meta, split -> [ meta.id, split ] }
    IMPUTE(
        FIT.out.model
            .map { meta, model -> [ meta.id, meta, model ] }
            .join(ch_splits_by_id)
            .combine(ch_cohort)
            .map { id, meta, model, split, cohort -> [ meta, model, cohort, split ] }
    )
    ch_versions = ch_versions.mix(IMPUTE.out.versions)

    ch_imputed = IMPUTE.out.imputed
        .map { meta, imputed -> [ meta.id, meta, imputed ] }
        .join(ch_splits_by_id)
        .combine(ch_cohort)
        .map { id, meta, imputed, split, cohort -> [ meta, imputed, cohort, split ] }
    EVALUATE(ch_imputed)
    ch_versions = ch_versions.mix(EVALUATE.out.versions)

    // The same analyses on true and imputed expression of each split's test samples.
    DOWNSTREAM(ch_imputed, params.prognostic_genes ? file(params.prognostic_genes, checkIfExists: true) : [])
    ch_versions = ch_versions.mix(DOWNSTREAM.out.versions)

    SUMMARIZE(EVALUATE.out.metrics.map { meta, metrics -> metrics }.collect())
    SUMMARIZE_DOWNSTREAM(DOWNSTREAM.out.summary.map { meta, summary -> summary }.collect())
    ch_versions = ch_versions.mix(SUMMARIZE.out.versions, SUMMARIZE_DOWNSTREAM.out.versions)

    // One versions file for the whole run, as nf-core pipelines gather them.
    ch_versions
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info", sort: true)

    emit:
    summary    = SUMMARIZE.out.summary
    downstream = SUMMARIZE_DOWNSTREAM.out.summary
    metrics    = EVALUATE.out.metrics
}
