include { SIMULATE } from '../../simulate/main'
include { SELECT   } from '../main'

workflow {
    cohort = SIMULATE([ id: 'sim' ]).cohort.map { _meta, file -> file }
    SELECT(channel.of([ id: 'LUAD', cancer: 'LUAD' ]).combine(cohort))
    SELECT.out.cohort.map { _meta, file -> file }.collectFile(storeDir: "${params.outdir}/select") { selected -> [ selected.name, selected ] }
}
