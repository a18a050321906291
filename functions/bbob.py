"""COCO's noiseless bbob suite, f1..f24, exactly as COCO computes it (being written)."""


def bbob(fid: int, d: int, instance: int):
    raise NotImplementedError("functions.bbob is being written")
