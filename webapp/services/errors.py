"""Domain errors raised by services and translated by views, jobs and commands."""


class ServiceError(Exception):
    """Base class of the errors a caller is expected to handle."""


class NotFoundError(ServiceError):
    pass


class ValidationError(ServiceError):
    """Input that passed the form but breaks a rule only the database can check."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ValidationErrors(ServiceError):
    """Every rule an input breaks, so that a form can show them all at once."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
