include { SIMULATE } from '../main'

workflow {
    SIMULATE([ id: 'sim' ])
}
