/*
 * The pipeline: prepare the cohort, then either benchmark the methods on held-out samples
 * (--mode benchmark, the paper's protocol) or impute the samples that lack expression
 * (--mode impute).
 */
include { PREPARE_COHORT } from '../subworkflows/local/prepare_cohort'
include { BENCHMARK      } from '../subworkflows/local/benchmark'
include { IMPUTE_MISSING } from '../subworkflows/local/impute_missing'

// Methods that start from the pan-cancer pretrained network.
def TRANSFER_METHODS = ['tdimpute', 'tdimpute-notf', 'tdimpute-plus']

workflow TDIMPUTE {
    main:
    def cancers = params.target_cancers.tokenize(',')*.trim()

    PREPARE_COHORT()
    ch_cohort   = PREPARE_COHORT.out.cohort.map { meta, cohort -> cohort }.first()
    ch_versions = PREPARE_COHORT.out.versions

    if (params.mode == 'benchmark') {
        BENCHMARK(cancers, params.methods.tokenize(',')*.trim(), TRANSFER_METHODS, ch_cohort)
        ch_versions = ch_versions.mix(BENCHMARK.out.versions)
    } else {
        IMPUTE_MISSING(cancers, params.impute_method, TRANSFER_METHODS, ch_cohort)
        ch_versions = ch_versions.mix(IMPUTE_MISSING.out.versions)
    }

    // One versions file for the whole run, as nf-core pipelines gather them.
    ch_versions
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info", sort: true)
}
