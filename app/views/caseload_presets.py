"""The caseload page's named and remembered filters: an offered or saved filter puts
its values in the widgets, a staff member names the filters shown, and the last ones
used come back at the next start (:mod:`app.views.caseload_filters` holds the values)."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from PySide6.QtWidgets import QCheckBox, QInputDialog, QPushButton, QWidget

from app.i18n import _, ngettext
from app.services import saved_filters
from app.services.caseload import CaseloadFilter
from app.services.errors import ServiceError
from app.views.app_state import AppState
from app.views.caseload_filters import (
    SAVED,
    filter_from_settings,
    filter_to_settings,
    matching,
    offered,
    preset_filter,
)
from app.views.record_forms import ChoiceCombo, MessageBanner


class NamedFilters:
    """Mixed into :class:`app.views.caseload.CaseloadPage`, whose widgets these are."""

    state: AppState
    preset: ChoiceCombo
    facility: ChoiceCombo
    legal_status: ChoiceCombo
    staff: ChoiceCombo
    plan: ChoiceCombo
    release: ChoiceCombo
    review_overdue: QCheckBox
    include_closed: QCheckBox
    banner: MessageBanner
    delete_filter_button: QPushButton
    filter_name_dialog: QInputDialog | None
    _saved: dict[str, saved_filters.Values]

    def current_filter(self) -> CaseloadFilter:
        raise NotImplementedError

    def apply_filter(self) -> None:
        raise NotImplementedError

    def apply_preset(self, key: str | None) -> None:
        """One of the saved filters: the widgets take its values, the search text stays."""
        wanted = None if key is None else preset_filter(self.state.ctx, key, self._saved)
        if wanted is None:
            return
        self._set_widgets(wanted)
        self.apply_filter()

    def save_filter(self, name: str | None = None) -> QInputDialog | None:
        """Keep the filters shown under a name of the person's own (asked when not given)."""
        if name is None:
            dialog = QInputDialog(cast(QWidget, self))  # the page
            dialog.setWindowTitle(_("Save this filter"))
            dialog.setLabelText(_("Name of the filter:"))
            dialog.textValueSelected.connect(self.save_filter)
            dialog.open()
            self.filter_name_dialog = dialog
            return dialog
        try:
            kept = saved_filters.save_filter(
                self.state.ctx, name, filter_to_settings(self.current_filter())
            )
        except ServiceError as error:
            self.banner.show_error(str(error))
            return None
        self.banner.clear_message()
        self._refill_presets()
        self.preset.select(SAVED + kept)
        self._named_changed()
        return None

    def delete_filter(self) -> None:
        """Forget the named filter chosen; the widgets keep its values."""
        key = self.preset.value()
        if not isinstance(key, str) or not key.startswith(SAVED):
            return
        saved_filters.delete_filter(self.state.ctx, key[len(SAVED) :])
        self._refill_presets()
        self.preset.setCurrentIndex(-1)
        self._named_changed()

    def _refill_presets(self) -> None:
        self._saved = saved_filters.saved_filters(self.state.ctx)
        self.preset.blockSignals(True)
        self.preset.set_choices(offered(self._saved))
        self.preset.blockSignals(False)

    def _named_changed(self) -> None:
        key = self.preset.value()
        self.delete_filter_button.setEnabled(isinstance(key, str) and key.startswith(SAVED))

    def _set_widgets(self, wanted: CaseloadFilter) -> None:
        widgets = (self.facility, self.legal_status, self.staff, self.plan, self.release)
        for widget in (*widgets, self.review_overdue, self.include_closed):
            widget.blockSignals(True)
        self.facility.select(wanted.facility_id)
        self.legal_status.select(wanted.legal_status)
        self.staff.select(wanted.assigned_staff_id)
        self.plan.select(wanted.plan_status)
        days = wanted.release_within_days
        if days is not None and days not in self.release.values():
            text = ngettext("Within {days} day", "Within {days} days", days)
            self.release.add_choice(text.format(days=days), days)
        self.release.select(wanted.release_within_days)
        self.review_overdue.setChecked(wanted.review_overdue)
        self.include_closed.setChecked(wanted.include_closed)
        for widget in (*widgets, self.review_overdue, self.include_closed):
            widget.blockSignals(False)

    def _remember(self, wanted: CaseloadFilter) -> None:
        """The filters (never the search text) kept per staff member for the next time."""
        staff_id = self.state.ctx.actor.staff_id
        if staff_id is None:
            return
        remembered = dict(self.state.settings.caseload_filters)
        remembered[str(staff_id)] = filter_to_settings(wanted)
        self.state.settings.caseload_filters = remembered

    def _restore_filters(self) -> None:
        """The staff member's last filters, or their own cases the first time."""
        staff_id = self.state.ctx.actor.staff_id
        saved = self.state.settings.caseload_filters.get(str(staff_id)) if staff_id else None
        wanted = filter_from_settings(saved) if saved is not None else None
        if wanted is None:
            wanted = preset_filter(self.state.ctx, "mine", self._saved) or CaseloadFilter()
        if wanted.assigned_staff_id not in self.staff.values():
            wanted = replace(wanted, assigned_staff_id=None)
        self._set_widgets(wanted)
        if not self.preset.select(matching(self.state.ctx, wanted, self._saved)):
            self.preset.setCurrentIndex(-1)
