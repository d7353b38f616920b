process DOWNLOAD {
    tag "$meta.id"
    label 'process_single'
    // Needs the internet (UCSC Xena); files already in the work folder of a resumed run stay.

    input:
    val(meta) // meta.cohort: a TCGA cohort's matrices; without it, the Pan-Cancer survival table

    output:
    tuple val(meta), path("xena/*"), emit: files
    path "versions.yml"            , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def what = meta.cohort ? "--cohort ${meta.cohort}" : '--survival'
    """
    tdimpute download ${what} --out xena $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    """
    mkdir xena && touch xena/${meta.id}.gz
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
