process PRETRAIN {
    tag "$meta.id"
    label 'process_gpu'

    input:
    tuple val(meta), path(cohort)

    output:
    tuple val(meta), path("${prefix}"), emit: model
    path "versions.yml"               , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args    = task.ext.args ?: ''
    // Without a target cancer (an external cohort's pool) every sample with expression trains.
    def exclude = meta.cancer ? "--exclude-cancer ${meta.cancer}" : ''
    prefix      = task.ext.prefix ?: "${meta.id}_pretrained"
    """
    tdimpute pretrain \\
        --cohort ${cohort} \\
        ${exclude} \\
        --out ${prefix} \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}_pretrained"
    """
    mkdir ${prefix} && echo '{}' > ${prefix}/model.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
