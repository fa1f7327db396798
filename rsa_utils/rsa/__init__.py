"""RSA and its relatives: RDMs, comparison, resampling, consistency, CKA/DDS, taxonomy (numpy/torch, no plotting).

``from rsa_utils import rsa`` gives the RSA core (:mod:`rsa_utils.rsa.core`): ``rsa.rdm``,
``rsa.similarity_matrix``, ``rsa.bootstrap`` and the rest.
"""

from rsa_utils.rsa.core import (
    METHODS,
    RDM_ATOL,
    Resampled,
    bootstrap,
    compare_rdms,
    condensed_rdms,
    pick_network,
    rank_rows,
    ranking,
    rdm,
    similarity_matrix,
    spearman_matrix_stat,
    subsample,
    upper_triangle,
)

__all__ = ["METHODS", "RDM_ATOL", "Resampled", "bootstrap", "compare_rdms", "condensed_rdms",
           "pick_network", "rank_rows", "ranking", "rdm", "similarity_matrix", "spearman_matrix_stat",
           "subsample", "upper_triangle"]  # fmt: skip
