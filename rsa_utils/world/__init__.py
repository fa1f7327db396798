"""The synthetic Taskonomy-like world: the task registry, scene sampling and rendering, label synthesis."""
