"""The demo agency tree with the 民政局's clerk and approver as workflow actors, for the workflow tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xxgk.casework.demo import DEMO_PASSWORD, DemoTree, create_tree
from xxgk.casework.security import hash_password
from xxgk.casework.workflow import Actor

_HASH = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose


def demo_actors(session: Session) -> tuple[DemoTree, Actor, Actor]:
    tree = create_tree(session, password_hash=lambda _p: _HASH)
    clerk = Actor("clerk", "经办人 李经办", tree.users["clerk"].id, tree.civil_affairs.id)
    approver = Actor("approver", "负责人 王科长", tree.users["approver"].id, tree.civil_affairs.id)
    return tree, clerk, approver
