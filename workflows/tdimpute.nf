/*
 * The pipeline: prepare the cohort, then either benchmark the methods on held-out samples
 * (--mode benchmark, the paper's protocol) or impute the samples that lack expression
 * (--mode impute).
 */
include { PREPARE_COHORT   } from '../subworkflows/local/prepare_cohort'
include { BENCHMARK        } from '../subworkflows/local/benchmark'
include { IMPUTE_MISSING   } from '../subworkflows/local/impute_missing'
include { PREPARE_EXTERNAL } from '../subworkflows/local/prepare_external'
include { REPORT           } from '../subworkflows/local/report'
include { SELECT           } from '../modules/local/select/main'
include { methodRegistry; selectedMethods } from '../subworkflows/local/utils_tdimpute'

workflow TDIMPUTE {
    take:
    options   // map: the run's parameters, each as its schema type (typedParams)

    main:
    def cancers = options.target_cancers.tokenize(',')*.trim()
    // What each method needs (a pretrained network, a GPU), as the Python package declares it.
    def registry = methodRegistry()

    PREPARE_COHORT(options)
    ch_cohort   = PREPARE_COHORT.out.cohort.map { _meta, cohort -> cohort }.first()
    ch_versions = PREPARE_COHORT.out.versions
    ch_cohort_summaries = PREPARE_COHORT.out.summary.map { _meta, summary -> summary }

    // The target cancers are in the cohort, or in an external one aligned to it (--external_input).
    ch_targets = ch_cohort
    if (options.external_input) {
        PREPARE_EXTERNAL(ch_cohort)
        ch_targets          = PREPARE_EXTERNAL.out.cohort
        ch_cohort_summaries = ch_cohort_summaries.mix(PREPARE_EXTERNAL.out.summary.map { _meta, summary -> summary })
        ch_versions         = ch_versions.mix(PREPARE_EXTERNAL.out.versions)
    }
    // Each target cancer's samples in a file of their own: its tasks stage them, not the pool.
    SELECT(channel.fromList(cancers).map { cancer -> [ id: cancer, cancer: cancer ] }.combine(ch_targets))
    ch_cancer_cohorts = SELECT.out.cohort.map { meta, file -> [ meta.cancer, file ] }
    ch_versions       = ch_versions.mix(SELECT.out.versions)

    ch_accuracy    = channel.empty()
    ch_downstream  = channel.empty()
    ch_completed   = channel.empty()
    ch_reliability = channel.empty()
    ch_survival    = channel.empty()
    if (options.mode == 'benchmark') {
        BENCHMARK(ch_cancer_cohorts, selectedMethods(options.methods, registry), registry, ch_cohort, options)
        ch_versions   = ch_versions.mix(BENCHMARK.out.versions)
        ch_accuracy   = BENCHMARK.out.summary
        ch_downstream = BENCHMARK.out.downstream
        ch_models     = BENCHMARK.out.models
        // Kaplan-Meier curves of the first replicate of the recommended method.
        ch_survival   = BENCHMARK.out.analyses
            .filter { meta, _folder -> meta.replicate == 1 && meta.method == options.impute_method }
            .map { _meta, folder -> folder }
    } else {
        IMPUTE_MISSING(ch_cancer_cohorts, options.impute_method, registry, ch_cohort, options.external_input != null)
        ch_versions    = ch_versions.mix(IMPUTE_MISSING.out.versions)
        ch_completed   = IMPUTE_MISSING.out.completed.map { _meta, folder -> folder }
        ch_reliability = IMPUTE_MISSING.out.reliability.map { _meta, table -> table }
        ch_models      = IMPUTE_MISSING.out.models
    }

    // One versions file for the whole run, as nf-core pipelines gather them: each process once,
    // in name order (tasks' own files come in completion order, one per task).
    ch_versions_file = ch_versions
        .map { versions -> versions.text.trim() }
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${options.outdir}/pipeline_info", sort: true, newLine: true)

    REPORT(
        ch_cohort_summaries,
        ch_accuracy, ch_downstream, ch_models, ch_completed, ch_reliability, ch_survival,
        ch_versions_file,
        options,
    )
}
