process DOWNSTREAM {
    tag "$meta.id"
    label 'process_low'

    input:
    tuple val(meta), path(imputed), path(cohort), path(split)
    path prognostic_genes

    output:
    tuple val(meta), path("${prefix}")                     , emit: results
    tuple val(meta), path("${prefix}/downstream.json")     , emit: summary
    path "versions.yml"                                    , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args      = task.ext.args ?: ''
    def known_arg = prognostic_genes ? "--prognostic-genes ${prognostic_genes}" : ''
    prefix        = task.ext.prefix ?: "${meta.id}"
    """
    tdimpute downstream \\
        --cohort ${cohort} \\
        --split ${split} \\
        --imputed ${imputed} \\
        --method ${meta.method} \\
        ${known_arg} \\
        --out ${prefix} \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir ${prefix} && echo '{}' > ${prefix}/downstream.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
