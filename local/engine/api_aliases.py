"""State machine aliases: a name that routes executions to one or two versions of a state machine by weight.

An alias ARN is the state machine's ARN and the alias name (`...:stateMachine:Orders:PROD`); StartExecution
on it runs one of its versions, chosen at random with the alias's weights.
"""

from __future__ import annotations

import random
from typing import Any

from local.engine import pagination, qualified_arns
from local.engine.api_base import ApiBase
from local.engine.api_types import (
    CreateStateMachineAliasOutput,
    DescribeStateMachineAliasOutput,
    EmptyOutput,
    ListStateMachineAliasesOutput,
    RoutingConfigurationListItem,
    StateMachineAliasListItem,
    UpdateStateMachineAliasOutput,
)
from local.engine.api_versions import check_description
from local.engine.errors import ApiError
from local.engine.store import AliasRecord
from local.engine.timestamps import from_epoch

MAX_ALIASES = 100  # per state machine, AWS's quota
MAX_ROUTES = 2  # versions an alias routes to
TOTAL_WEIGHT = 100


class AliasOperations(ApiBase):
    """The operations on state machine aliases."""

    def create_state_machine_alias(
        self, name: str, routing_configuration: list[dict[str, Any]], description: str | None = None
    ) -> CreateStateMachineAliasOutput:
        """CreateStateMachineAlias (idempotent for the same name, description and routing)."""
        qualified_arns.check_alias_name(name)
        check_description(description, "description")
        with self._catalog_lock:
            machine_arn, routes = self._routes(routing_configuration)
            self._machine_named(machine_arn)
            arn = qualified_arns.alias_arn(machine_arn, name)
            existing = self.store.get_alias(arn)
            if existing is not None:
                if existing.routing_configuration == routes and existing.description == (description or ""):
                    return {"stateMachineAliasArn": arn, "creationDate": from_epoch(existing.creation_date)}
                raise ApiError(
                    "ConflictException",
                    "Failed to create alias because an alias with the same name and a different "
                    "routing configuration already exists.",
                )
            if len(self.store.list_aliases(machine_arn)) >= MAX_ALIASES:
                raise ApiError(
                    "ServiceQuotaExceededException",
                    f"A state machine can have at most {MAX_ALIASES} aliases: delete unused aliases first",
                )
            self._driver.save_clock()  # the creation date must not be later than the saved clock
            record = AliasRecord(
                arn=arn,
                state_machine_arn=machine_arn,
                name=name,
                routing_configuration=routes,
                creation_date=self._now_epoch(),
                description=description or "",
            )
            self.store.put_alias(record)
        return {"stateMachineAliasArn": arn, "creationDate": from_epoch(record.creation_date)}

    def describe_state_machine_alias(self, state_machine_alias_arn: str) -> DescribeStateMachineAliasOutput:
        """DescribeStateMachineAlias."""
        alias = self._alias(state_machine_alias_arn)
        response: DescribeStateMachineAliasOutput = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": _routing_items(alias),
            "creationDate": from_epoch(alias.creation_date),
        }
        if alias.description:
            response["description"] = alias.description
        response["updateDate"] = from_epoch(alias.update_date or alias.creation_date)
        return response

    def update_state_machine_alias(
        self,
        state_machine_alias_arn: str,
        description: str | None = None,
        routing_configuration: list[dict[str, Any]] | None = None,
    ) -> UpdateStateMachineAliasOutput:
        """UpdateStateMachineAlias: its description, its routing, or both."""
        if description is None and routing_configuration is None:
            raise ApiError(
                "ValidationException",
                "Either the description or the routing configuration must be specified",
            )
        check_description(description, "description")
        with self._catalog_lock:
            alias = self._alias(state_machine_alias_arn)
            if routing_configuration is not None:
                machine_arn, routes = self._routes(routing_configuration)
                if machine_arn != alias.state_machine_arn:
                    raise ApiError(
                        "ValidationException",
                        "The routing configuration of an alias must name versions of its state machine",
                    )
                alias.routing_configuration = routes
            if description is not None:
                alias.description = description
            self._driver.save_clock()
            alias.update_date = self._now_epoch()
            self.store.put_alias(alias)
        return {"updateDate": from_epoch(alias.update_date)}

    def delete_state_machine_alias(self, state_machine_alias_arn: str) -> EmptyOutput:
        """DeleteStateMachineAlias (the versions it routes to stay; executions it started continue); deleting
        an alias that does not exist succeeds, as on AWS."""
        with self._catalog_lock:
            self.store.delete_alias(qualified_arns.parse_alias(state_machine_alias_arn).arn)
        return {}

    def list_state_machine_aliases(
        self, state_machine_arn: str, next_token: str | None = None, max_results: int | None = None
    ) -> ListStateMachineAliasesOutput:
        """ListStateMachineAliases: the aliases of a state machine, or, given a version ARN, those routing to
        that version."""
        parsed = qualified_arns.parse(state_machine_arn)
        if parsed.alias is not None or parsed.test_case is not None:
            raise ApiError(
                "InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {state_machine_arn}'"
            )
        if parsed.version is not None:
            self._version(parsed.arn)
        else:
            self._machine_named(parsed.state_machine_arn)
        aliases = [
            alias
            for alias in self.store.list_aliases(parsed.state_machine_arn)
            if parsed.version is None
            or any(route["stateMachineVersionArn"] == parsed.arn for route in alias.routing_configuration)
        ]
        page, token = pagination.page(
            aliases,
            lambda a: (a.creation_date, a.arn),
            max_results,
            next_token,
            scope=f"aliases:{parsed.arn}",
        )
        items: list[StateMachineAliasListItem] = [
            {"stateMachineAliasArn": a.arn, "creationDate": from_epoch(a.creation_date)} for a in page
        ]
        response: ListStateMachineAliasesOutput = {"stateMachineAliases": items}
        if token is not None:
            response["nextToken"] = token
        return response

    def _routes(self, routing_configuration: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        """The state machine a routing configuration routes to, and the configuration as stored; refused,
        in AWS's words, unless it names one or two existing versions of one state machine, weights summing
        to 100."""
        if not isinstance(routing_configuration, list) or not routing_configuration:
            raise ApiError(
                "ValidationException",
                "1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1",
            )
        items = [_route_item(route) for route in routing_configuration]
        if len(items) > MAX_ROUTES:
            shown = ", ".join(
                f"RoutingConfigurationListItem(stateMachineVersionArn={arn}, weight={weight})"
                for arn, weight in items
            )
            raise ApiError(
                "ValidationException",
                f"1 validation error detected: Value '[{shown}]' at 'routingConfiguration' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_ROUTES}",
            )
        for position, (_, weight) in enumerate(items, start=1):
            _check_weight(weight, position)
        arns = [arn for arn, _ in items]
        received = f"Received: [{', '.join(arns)}]"
        if not all(qualified_arns.is_version_arn(arn) for arn in arns):
            raise ApiError(
                "ValidationException",
                f"Routing configuration must contain state machine version ARNs. {received}",
            )
        if len(set(arns)) < len(arns):
            raise ApiError(
                "ValidationException",
                f"Routing configuration must contain distinct state machine version ARNs. {received}",
            )
        weights = [weight for _, weight in items]
        if sum(weights) != TOTAL_WEIGHT:
            raise ApiError(
                "ValidationException",
                f"Sum of routing configuration weights must equal {TOTAL_WEIGHT}. "
                f"Received: [{', '.join(map(str, weights))}]",
            )
        machines = {qualified_arns.parse_version(arn).state_machine_arn for arn in arns}
        if len(machines) > 1:
            raise ApiError(
                "ValidationException",
                f"Routing configuration must contain versions of one state machine. {received}",
            )
        for arn in arns:
            if self.store.get_version(arn) is None:
                raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return machines.pop(), [{"stateMachineVersionArn": arn, "weight": weight} for arn, weight in items]


def _route_item(route: Any) -> tuple[str, int]:
    """One routing configuration item as (version ARN, weight), refused when it lacks either."""
    version_arn = route.get("stateMachineVersionArn") if isinstance(route, dict) else None
    weight = route.get("weight") if isinstance(route, dict) else None
    if not isinstance(version_arn, str) or isinstance(weight, bool) or not isinstance(weight, int):
        raise ApiError(
            "ValidationException",
            "Each routing configuration item needs a stateMachineVersionArn and an integer weight",
        )
    return version_arn, weight


def _check_weight(weight: int, position: int) -> None:
    bound = f"less than or equal to {TOTAL_WEIGHT}" if weight > TOTAL_WEIGHT else "greater than or equal to 0"
    if not 0 <= weight <= TOTAL_WEIGHT:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{weight}' at "
            f"'routingConfiguration.{position}.member.weight' failed to satisfy constraint: "
            f"Member must have value {bound}",
        )


def choose_version(alias: AliasRecord, rng: random.Random) -> str:
    """The ARN of the version an execution started through `alias` runs, drawn with the alias's weights."""
    routes = alias.routing_configuration
    weights = [route["weight"] for route in routes]
    chosen: str = rng.choices([route["stateMachineVersionArn"] for route in routes], weights=weights)[0]
    return chosen


def _routing_items(alias: AliasRecord) -> list[RoutingConfigurationListItem]:
    return [
        {"stateMachineVersionArn": route["stateMachineVersionArn"], "weight": route["weight"]}
        for route in alias.routing_configuration
    ]
