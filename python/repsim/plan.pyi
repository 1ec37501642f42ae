# Type stubs of repsim.plan (the compute-optimal planners of `repsim plan`).
from typing import Any, Optional, Sequence, Union

Quantity = Union[float, int, str]

def table(params: Optional[Sequence[Quantity]] = None, law: Optional[str] = None) -> Any: ...
def scale(factor: float, law: Optional[str] = None, compare: bool = False) -> Any: ...
def allocate(
    compute: Optional[Quantity] = None,
    unique_tokens: Optional[Quantity] = None,
    *,
    params: Optional[Quantity] = None,
    tokens: Optional[Quantity] = None,
    law: Optional[str] = None,
) -> Any: ...
def kaplan(
    loss: Optional[float] = None,
    params: Optional[Quantity] = None,
    compute: Optional[Quantity] = None,
    steps: Optional[float] = None,
) -> Any: ...
