"""The procedural worlds, in one name: scene sampling and a batched ray caster in torch.

Two generators share one renderer:

* the **source domain** (:func:`source_scene`), a synthetic Taskonomy: an axis-aligned indoor
  room (floor, ceiling, four walls) with procedural textures, 3-8 objects from
  :data:`rsa_utils.tasks.OBJECT_CATEGORIES` built from analytic primitives (boxes rotated about
  the vertical axis, spheres, vertical capped cylinders), 1-3 point lights with hard shadows
  plus ambient light, and a camera inside the room (FOV about 61 deg, roll 0, small pitch).
  The room type (:data:`rsa_utils.tasks.ROOM_TYPES`) sets the object, texture and light priors.
* the **target domain** (:func:`target_scene`), the Pascal VOC stand-in with a deliberate
  shift: an outdoor ground plane and sky, a higher camera looking down more, another FOV, a
  sun-like directional light, and objects from :data:`rsa_utils.tasks.TARGET_CATEGORIES`.

Scene parameters of sample ``i`` of a split are a pure function of ``(seed, split, i)``: a
numpy ``Generator`` is seeded from a BLAKE2 hash of those values (never Python's ``hash``),
the scene is built on the CPU in float64 and only then moved to the render device, so
renders agree across processes and between CPU and CUDA to float tolerance.

Coordinates. World: metres, ``y`` up, the floor / ground at ``y = 0``. Camera frame (OpenCV):
``x`` right, ``y`` down, ``z`` forward; z-depth is the camera-frame ``z``. Camera rays are
cast through pixel centres, one ray per pixel.
"""

# Every public name of the worlds' modules, as ``rsa_utils.scenes`` has always offered them.
from rsa_utils.world.packing import ScenePack, camera_rotation, pack_scene  # noqa: F401
from rsa_utils.world.render import Render, render, render_source, render_target  # noqa: F401
from rsa_utils.world.scene_parts import (  # noqa: F401
    BOX,
    CHECKER,
    CYLINDER,
    GENERATOR_VERSION,
    NOISE,
    PLAIN,
    ROOM_FACES,
    SKY_DEPTH,
    SOURCE_FOV_DEG,
    SPHERE,
    STRIPES,
    Primitive,
    Scene,
    stable_seed,
)
from rsa_utils.world.scene_priors import source_scene, target_scene  # noqa: F401
from rsa_utils.world.textures import value_noise  # noqa: F401
