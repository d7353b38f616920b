/*
 * BENCHMARK mode, the paper's protocol: per target cancer, pretrain on the pool without it;
 * then for each missing rate and replicate one split, and for every method fit, impute,
 * evaluate and run the downstream analyses on that same split. Only PRETRAIN reads the pool;
 * every other task stages its cancer's file alone.
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
    cancer_cohorts   // channel: [ cancer, the cohort of its samples alone ]
    methods          // list of method names
    registry         // map: method -> its entry in assets/methods.json (uses_pretrained, trains_network)
    pool             // value channel: the whole cohort, which PRETRAIN alone reads
    options          // map: the run's parameters, each as its schema type (typedParams)

    main:
    ch_versions = channel.empty()

    // One split per (cancer, missing rate, replicate), shared by every method.
    ch_designs = cancer_cohorts
        .combine(channel.fromList(options.missing_rates.toString().tokenize(',')*.trim()))
        .combine(channel.fromList(1..options.replicates as List))
        .map { cancer, cohort, rate, replicate ->
            [ [ id: "${cancer}_rate${rate}_rep${replicate}", cancer: cancer,
                missing_rate: rate, replicate: replicate ], cohort ]
        }
    SPLIT(ch_designs)
    ch_versions = ch_versions.mix(SPLIT.out.versions)

    ch_pretrained = channel.empty()
    if (methods.any { method -> registry[method].uses_pretrained }) {
        PRETRAINED_NETWORKS(cancer_cohorts.map { cancer, _cohort -> cancer }, pool, true)
        ch_pretrained = PRETRAINED_NETWORKS.out.models
        ch_versions   = ch_versions.mix(PRETRAINED_NETWORKS.out.versions)
    }

    // Every run of a split: [ cancer, meta, its cancer's cohort, split ]; meta.network: the
    // method trains or runs a network (the gpu profile gives those tasks the GPU).
    ch_runs = SPLIT.out.split
        .combine(channel.fromList(methods))
        .map { meta, split, method ->
            [ meta.cancer, meta + [ id: "${meta.id}_${method}", method: method, network: registry[method].trains_network ], split ]
        }
        .combine(cancer_cohorts, by: 0)
        .map { cancer, meta, split, cohort -> [ cancer, meta, cohort, split ] }
        .branch { _cancer, meta, _cohort, _split -> transfer: registry[meta.method].uses_pretrained; other: true }
    // The transfer runs meet their cancer's pretrained network.
    ch_fit_transfer = ch_runs.transfer
        .combine(ch_pretrained, by: 0)
        .map { _cancer, meta, cohort, split, model -> [ meta, cohort, split, model ] }
    ch_fit_other = ch_runs.other
        .map { _cancer, meta, cohort, split -> [ meta, cohort, split, [] ] }
    FIT(ch_fit_transfer.mix(ch_fit_other))
    ch_versions = ch_versions.mix(FIT.out.versions)

    ch_inputs_by_id = ch_runs.transfer.mix(ch_runs.other)
        .map { _cancer, meta, cohort, split -> [ meta.id, cohort, split ] }
    IMPUTE(
        FIT.out.model
            .map { meta, model -> [ meta.id, meta, model ] }
            .join(ch_inputs_by_id)
            .map { _id, meta, model, cohort, split -> [ meta, model, cohort, split ] }
    )
    ch_versions = ch_versions.mix(IMPUTE.out.versions)

    ch_imputed = IMPUTE.out.imputed
        .map { meta, imputed -> [ meta.id, meta, imputed ] }
        .join(ch_inputs_by_id)
        .map { _id, meta, imputed, cohort, split -> [ meta, imputed, cohort, split ] }
    // With --benchmark_intervals each imputation comes with its bounds, whose coverage is measured.
    ch_evaluate = ch_imputed.map { meta, imputed, cohort, split -> [ meta, imputed, [], cohort, split ] }
    if (options.benchmark_intervals) {
        ch_evaluate = ch_imputed
            .map { meta, imputed, cohort, split -> [ meta.id, meta, imputed, cohort, split ] }
            .join(IMPUTE.out.intervals.map { meta, bounds -> [ meta.id, bounds ] })
            .map { _id, meta, imputed, cohort, split, bounds -> [ meta, imputed, bounds, cohort, split ] }
    }
    EVALUATE(ch_evaluate)
    ch_versions = ch_versions.mix(EVALUATE.out.versions)

    // The same analyses on true and imputed expression of each split's test samples.
    DOWNSTREAM(ch_imputed, options.prognostic_genes ? file(options.prognostic_genes) : [])
    ch_versions = ch_versions.mix(DOWNSTREAM.out.versions)

    SUMMARIZE(EVALUATE.out.metrics.map { _meta, metrics -> metrics }.collect())
    SUMMARIZE_DOWNSTREAM(DOWNSTREAM.out.summary.map { _meta, summary -> summary }.collect())
    ch_versions = ch_versions.mix(SUMMARIZE.out.versions, SUMMARIZE_DOWNSTREAM.out.versions)

    emit:
    summary    = SUMMARIZE.out.summary
    downstream = SUMMARIZE_DOWNSTREAM.out.summary
    analyses   = DOWNSTREAM.out.results                                   // [ meta, folder ]
    models     = FIT.out.model.map { meta, model -> [ meta.id, model ] }
        .mix(ch_pretrained.map { cancer, model -> [ "${cancer}_pretrained", model ] })
    versions   = ch_versions
}
