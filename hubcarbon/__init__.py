"""hubcarbon: mine, analyse, grade, publish and lint carbon reporting on the Hugging Face Hub."""

__version__ = "0.2.0"
