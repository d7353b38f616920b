include { FITTED_MEAN } from '../../../../tests/modules/fitted_mean'
include { IMPUTE      } from '../../impute/main'
include { DOWNSTREAM  } from '../main'

workflow {
    FITTED_MEAN()
    IMPUTE(FITTED_MEAN.out.model.combine(FITTED_MEAN.out.cohort).combine(FITTED_MEAN.out.split))
    DOWNSTREAM(IMPUTE.out.imputed.combine(FITTED_MEAN.out.cohort).combine(FITTED_MEAN.out.split),
               file("${projectDir}/known_genes.txt"))
}
