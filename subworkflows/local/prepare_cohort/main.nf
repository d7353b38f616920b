/*
 * The cohort every later step reads: a given cohort file, matrices to preprocess, or a
 * simulated cohort; validated before use.
 */
include { SIMULATE   } from '../../../modules/local/simulate/main'
include { PREPROCESS } from '../../../modules/local/preprocess/main'
include { VALIDATE   } from '../../../modules/local/validate/main'

workflow PREPARE_COHORT {
    main:
    ch_versions = Channel.empty()
    if (params.cohort) {
        ch_cohort = Channel.of([ [ id: file(params.cohort).baseName ], file(params.cohort, checkIfExists: true) ])
    } else if (params.methylation) {
        PREPROCESS(Channel.of([
            [ id: 'cohort' ],
            file(params.methylation, checkIfExists: true),
            file(params.expression, checkIfExists: true),
            params.clinical ? file(params.clinical, checkIfExists: true) : [],
        ]))
        ch_cohort   = PREPROCESS.out.cohort
        ch_versions = ch_versions.mix(PREPROCESS.out.versions)
    } else {
        SIMULATE(Channel.of([ id: 'simulated' ]))
        ch_cohort   = SIMULATE.out.cohort
        ch_versions = ch_versions.mix(SIMULATE.out.versions)
    }
    VALIDATE(ch_cohort)
    ch_versions = ch_versions.mix(VALIDATE.out.versions)

    emit:
    cohort   = ch_cohort
    summary  = VALIDATE.out.summary
    versions = ch_versions
}
