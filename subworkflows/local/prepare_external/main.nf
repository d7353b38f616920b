/*
 * An external cohort (--external_input, a samplesheet) made ready for a model of the pool:
 * the pool's CpGs and genes, both omics quantile-normalised onto the pool's distributions.
 */
include { PREPROCESS_POOL  } from '../../../modules/local/preprocess_pool/main'
include { VALIDATE         } from '../../../modules/local/validate/main'
include { samplesheetFiles } from '../prepare_cohort/main'

workflow PREPARE_EXTERNAL {
    take:
    pool // value channel: the pool's cohort file, the reference

    main:
    PREPROCESS_POOL(channel.of([ [ id: 'external', external: true ] ] + samplesheetFiles('external_input', params.external_input)).combine(pool))
    VALIDATE(PREPROCESS_POOL.out.cohort)

    emit:
    cohort   = PREPROCESS_POOL.out.cohort.map { _meta, cohort -> cohort }.first()
    summary  = VALIDATE.out.summary
    versions = PREPROCESS_POOL.out.versions.mix(VALIDATE.out.versions)
}
