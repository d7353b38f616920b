process FIT {
    tag "$meta.id"
    // The gpu profile gives the network methods (tdimpute*) an accelerator.
    label 'process_medium'

    input:
    tuple val(meta), path(cohort), path(split), path(pretrained)

    output:
    tuple val(meta), path("${prefix}"), emit: model
    path "versions.yml"               , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args           = task.ext.args ?: ''
    def pretrained_arg = pretrained ? "--pretrained ${pretrained}" : ''
    // Without a split (impute mode) every sample of the cancer that has expression trains.
    def split_arg      = split ? "--split ${split}" : "--cancer ${meta.cancer}"
    prefix             = task.ext.prefix ?: "${meta.id}_model"
    """
    tdimpute fit \\
        --method ${meta.method} \\
        --cohort ${cohort} \\
        ${split_arg} \\
        ${pretrained_arg} \\
        --out ${prefix} \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}_model"
    """
    mkdir ${prefix} && echo '{}' > ${prefix}/model.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
