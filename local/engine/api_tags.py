"""Tags on state machines and activities: TagResource, UntagResource and ListTagsForResource."""

from __future__ import annotations

from local.engine import arns
from local.engine.api_base import ApiBase
from local.engine.api_types import EmptyOutput, ListTagsForResourceOutput
from local.engine.errors import ApiError
from local.engine.store import Store

MAX_TAGS = 50


def merge_tags(store: Store, arn: str, current: dict[str, str], tags: list[dict[str, str]]) -> None:
    """Add `tags` to `current` and store the result, refusing more than AWS's limit."""
    merged = dict(current)
    for tag in tags:
        merged[tag["key"]] = tag.get("value", "")
    if len(merged) > MAX_TAGS:
        raise ApiError("TooManyTags", f"Too many tags: a resource can have at most {MAX_TAGS} tags")
    store.set_tags(arn, merged)


class TagOperations(ApiBase):
    """The tagging operations."""

    def _tag_target(self, resource_arn: str) -> str:
        """The activity or state machine an ARN names (ResourceNotFound for any other, a version or alias
        among them: they carry no tags)."""
        if arns.is_activity_arn(resource_arn):
            if self.store.get_activity(resource_arn) is not None:
                return resource_arn
        elif not self._qualified(resource_arn).is_qualified:
            arn = arns.parse_state_machine_arn(resource_arn).arn
            if self.store.get_state_machine(arn) is not None:
                return arn
        raise ApiError("ResourceNotFound", f"Resource not found: '{resource_arn}'")

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> EmptyOutput:
        """TagResource."""
        arn = self._tag_target(resource_arn)
        merge_tags(self.store, arn, self.store.get_tags(arn), tags)
        return {}

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> EmptyOutput:
        """UntagResource."""
        arn = self._tag_target(resource_arn)
        tags = {k: v for k, v in self.store.get_tags(arn).items() if k not in set(tag_keys)}
        self.store.set_tags(arn, tags)
        return {}

    def list_tags_for_resource(self, resource_arn: str) -> ListTagsForResourceOutput:
        """ListTagsForResource."""
        arn = self._tag_target(resource_arn)
        return {"tags": [{"key": k, "value": v} for k, v in self.store.get_tags(arn).items()]}
