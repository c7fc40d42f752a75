package primis

import (
	"context"
	"fmt"
	"time"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// SchedulesService covers schedules: the periods applied to controlled
// areas and access groups.
type SchedulesService service

// Schedule is a named set of periods.
type Schedule struct {
	ID                ID               `json:"id"`
	Name              string           `json:"name"`
	Description       string           `json:"description"`
	SiteID            string           `json:"siteId"`
	UsedByAccessGroup bool             `json:"usedByAccessGroup"`
	Periods           []SchedulePeriod `json:"periods"`
}

// SchedulePeriod is one period of a schedule.
type SchedulePeriod struct {
	ID         ID           `json:"id"`
	Frequency  Frequency    `json:"frequency"`
	Exceptions HolidayTypes `json:"exceptions"`
	Days       Days         `json:"days"`
	// OnTime and OffTime are the effective start and expiry; zero when not
	// set (Primis sends 1900-01-01 00:00:00.0).
	OnTime  Time `json:"on_time"`
	OffTime Time `json:"off_time"`
	// Enabled is deprecated by Primis.
	Enabled int `json:"enabled"`
}

// Frequency is a period's frequency bit mask: weekly (0x2), or holiday
// (0x40 in the lower bytes) with the holiday types in bits 0x100..0x80000.
type Frequency uint32

// Frequency kinds.
const (
	FrequencyWeekly  Frequency = 0x00002
	FrequencyHoliday Frequency = 0x00040
)

const holidayTypeMask = 0xFFF00

// IsWeekly reports a weekly period.
func (f Frequency) IsWeekly() bool { return f&FrequencyWeekly != 0 }

// IsHoliday reports a holiday period.
func (f Frequency) IsHoliday() bool { return f&FrequencyHoliday != 0 }

// HolidayTypes returns the holiday types a holiday period applies to.
func (f Frequency) HolidayTypes() HolidayTypes { return HolidayTypes(f & holidayTypeMask) }

// HolidayFrequency returns the frequency of a holiday period for types.
func HolidayFrequency(types HolidayTypes) Frequency {
	return FrequencyHoliday | Frequency(types&holidayTypeMask)
}

// HolidayTypes is a set of holiday types 1 to 12, as bits 0x100 (type 1)
// to 0x80000 (type 12). It is the exceptions field of a period and the
// upper part of a holiday frequency.
type HolidayTypes uint32

// HolidayType returns the bit of holiday type n (1 to 12).
func HolidayType(n int) (HolidayTypes, error) {
	if n < 1 || n > 12 {
		return 0, access.Invalid("holiday type", fmt.Sprintf("%d is not in 1..12", n))
	}
	return HolidayTypes(0x100) << (n - 1), nil
}

// Has reports whether holiday type n (1 to 12) is in the set.
func (h HolidayTypes) Has(n int) bool {
	bit, err := HolidayType(n)
	return err == nil && h&bit != 0
}

// Types lists the holiday types in the set, ascending.
func (h HolidayTypes) Types() []int {
	var out []int
	for n := 1; n <= 12; n++ {
		if h.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// Days is the bit mask of the weekdays a period is active on.
//
// The document announces the day bits but its table is lost; Days assumes
// the common layout of bit 0 for Sunday to bit 6 for Saturday
// (1 << time.Weekday). Check it against your server before relying on it;
// the raw value is always available as uint32(d).
type Days uint32

// Weekday bits under the assumed layout.
const (
	Sunday Days = 1 << iota
	Monday
	Tuesday
	Wednesday
	Thursday
	Friday
	Saturday
)

// Has reports whether d includes day.
func (d Days) Has(day time.Weekday) bool { return d&(1<<day) != 0 }

// List returns the schedules assigned to the user.
//
// GET /api/mobile/schedules
func (s *SchedulesService) List(ctx context.Context) ([]Schedule, *Response, error) {
	return do[[]Schedule](ctx, s.client.api, rest.Get("api/mobile/schedules"))
}

// AreaAction is what a controlled area does when a schedule turns on or off.
// The document names only 1 (open); other codes are passed through.
type AreaAction int

// ActionOpen opens the controlled area.
const ActionOpen AreaAction = 1

// AreaSchedule applies a schedule to one controlled area.
type AreaSchedule struct {
	ID               ID         `json:"id,omitempty"` // set by Primis
	ControlledAreaID ID         `json:"controlled_area_id"`
	OnAction         AreaAction `json:"on_action"`
	OffAction        AreaAction `json:"off_action"`
	Description      string     `json:"description,omitempty"`
}

// AreaScheduleRequest applies schedule ID to controlled areas.
type AreaScheduleRequest struct {
	ID          int            `json:"id"` // the schedule
	Zones       []AreaSchedule `json:"zones"`
	Description string         `json:"description,omitempty"`
}

// AreaScheduleResult is the created controlled area schedule.
type AreaScheduleResult struct {
	ID          ID             `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Zones       []AreaSchedule `json:"zones"`
}

// CreateAreaSchedule applies a schedule to controlled areas
// (administrator only).
//
// POST /api/controlled_area_schedules/schedule
func (s *SchedulesService) CreateAreaSchedule(ctx context.Context, req AreaScheduleRequest) (*AreaScheduleResult, *Response, error) {
	if req.ID <= 0 {
		return nil, nil, access.Invalid("ID", "the schedule id is required")
	}
	if len(req.Zones) == 0 {
		return nil, nil, access.Invalid("Zones", "at least one controlled area is required")
	}
	for i, z := range req.Zones {
		if err := validateID(fmt.Sprintf("Zones[%d].ControlledAreaID", i), z.ControlledAreaID); err != nil {
			return nil, nil, err
		}
	}
	return do[*AreaScheduleResult](ctx, s.client.api, rest.Post("api/controlled_area_schedules/schedule").WithBody(req))
}
