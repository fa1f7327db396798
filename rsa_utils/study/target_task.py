"""S3: a new task on a new domain -- the target small model, its task ranking and its checks.

The *target task* is semantic segmentation of the target domain (the Pascal VOC stand-in). A
small model (Table S1) is trained on it (:func:`rsa_utils.zoo.get_target_model`, snapshots at
``profile.checkpoints``). Its RDM on the target domain's ``rsa`` images is compared with the
RDM of every source task network on **the same images** (sources see target-domain images);
sorted descending, these similarities are the ranking used to choose an initialisation.

* S3.1 -- the ranking at each training checkpoint vs the final ranking (Fig S6);
* S3.2 -- the ranking from small source encoders vs Taskonomy-architecture encoders (Fig S7);
* S3.3 -- the ranking from n images vs from all images (Fig S8);
* S3.4 -- fine-tuning every source initialisation on the target task: mIoU vs similarity,
  beside the paper's published Pascal VOC mIoU (Fig S9).

Unless said otherwise the sources are the Taskonomy-architecture encoders (as in S3.4) and the
target model is the final small model. Shapes: images (n, 3, H, W); RDMs (n, n) or stacks
(K, n, n); rankings are pandas Series indexed by task name.

**Verdicts** follow the rules of :data:`rsa_utils.report.VERDICT_RULES`. The task checks of
S3.4 compare a task's rank with the middle of the ranking.
"""

# The S3 names in one place (``from rsa_utils import target_task as tt``): data, statistics, figures.
from rsa_utils.figures.s3 import (  # noqa: F401
    _mark_named,
    figure_s6,
    figure_s7,
    figure_s8,
    figure_s9,
    plot_checkpoints,
    plot_image_counts,
    plot_size,
    plot_transfer,
)
from rsa_utils.nets import transfer, zoo  # noqa: F401
from rsa_utils.study.image_counts import ImageCounts, image_counts  # noqa: F401
from rsa_utils.study.model_size import ModelSize, model_size  # noqa: F401
from rsa_utils.study.s3_data import (  # noqa: F401
    PAPER_HIGH,
    PAPER_LOW,
    PAPER_VOC_MIOU,
    THRESHOLD,
    S3Data,
    _finetune_job,
    finetune_all,
    fraction_label,
    label,
    load,
    model_rdm,
    ranking,
    rsa_images,
    source_rdms,
    target_rdms,
)
from rsa_utils.study.s3_statistics import (  # noqa: F401
    checkpoint_rankings,
    checkpoint_table,
    correlation_verdict,
    group_verdict,
    image_count_table,
    most_beat,
    paper_group,
    paper_point,
    paper_table,
    similarity_draws,
    size_correlation,
    size_table,
    spearman_verdict,
    stays_above,
    task_checks,
    transfer_data,
    transfer_spearman,
    transfer_table,
    transfer_vs_paper,
    usable_counts,
)
from rsa_utils.study.training_stage import TrainingStage, training_stage  # noqa: F401
from rsa_utils.study.transfer_learning import TransferLearning, transfer_learning  # noqa: F401
