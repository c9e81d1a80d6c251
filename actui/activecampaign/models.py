"""Typed views of what ActiveCampaign answers: only the fields actui uses, ids always strings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _AcModel(BaseModel):
    model_config = ConfigDict(
        extra="ignore", coerce_numbers_to_str=True, populate_by_name=True, frozen=True
    )

    @model_validator(mode="before")
    @classmethod
    def _nulls_as_missing(cls, data: Any) -> Any:
        """ActiveCampaign sends null for many unset fields: read them as their defaults."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class AcUser(_AcModel):
    """The user the API key belongs to (``GET /users/me``)."""

    id: str
    username: str = ""
    email: str = ""
    first_name: str = Field("", alias="firstName")
    last_name: str = Field("", alias="lastName")


class AcGroup(_AcModel):
    """A user group; lists are made visible to groups."""

    id: str
    title: str


class AcList(_AcModel):
    """A contact list."""

    id: str
    name: str
    stringid: str = ""


class AcContactRef(_AcModel):
    """A contact by id and email."""

    id: str
    email: str

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class AcField(_AcModel):
    """A custom contact field: values are sent by ``id``; users name it by title or perstag."""

    id: str
    title: str
    perstag: str = ""
    type: str = ""


class AcExclusion(_AcModel):
    """An exclusion-list entry: ``match_type`` is 'exact', 'end' (domain suffix) or the like."""

    id: str
    match_phrase: str = Field(alias="matchPhrase")
    match_type: str = Field("exact", alias="matchType")


class ImportInfo(_AcModel):
    """The outcome of a bulk import: contact ids that made it, emails that did not."""

    status: str
    success: list[str] = Field(default_factory=list)
    failure: list[str] = Field(default_factory=list)

    @field_validator("success", "failure", mode="before")
    @classmethod
    def _strings(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, list):
            return [str(i.get("email", i)) if isinstance(i, dict) else str(i) for i in value]
        return value
