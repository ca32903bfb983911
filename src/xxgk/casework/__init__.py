"""The 政府信息公开 casework service: the 依申请公开 ledger and workflow, the proactive catalogue, review and
litigation cases, and the annual report computed from the ledger (consistent by construction).

Layering: casework sits on top of ``formats``, ``extract``, ``audit`` and ``render``; nothing imports it.
"""
