include { SIMULATE } from '../../simulate/main'
include { VALIDATE } from '../main'

workflow {
    VALIDATE(SIMULATE([ id: 'sim' ]).cohort)
}
