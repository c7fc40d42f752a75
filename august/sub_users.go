package august

import (
	"context"
	"fmt"
	"iter"

	"github.com/doorkit/doorkit/access"
	"github.com/doorkit/doorkit/internal/rest"
)

// SubUsersService covers a partner's sub-users (/partners/sub-user):
// unverified users the partner owns, found again by the partner's own user
// id.
type SubUsersService service

// SubUserRequest is the body of Create.
type SubUserRequest struct {
	PartnerUserID string `json:"partnerUserID"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
}

// SubUserToken is the answer of Create: the sub-user and an access
// token acting as it.
type SubUserToken struct {
	AccessToken access.Secret `json:"access_token"`
	FirstName   string        `json:"firstName"`
	LastName    string        `json:"lastName"`
	UserID      string        `json:"userID"`
	UserCreated bool          `json:"userCreated"` // false when the sub-user existed
}

// Create returns the sub-user for PartnerUserID and an access token
// for it, creating the sub-user (owned by the caller) when none exists.
// Because it creates at most one user per partnerUserID, it is safe to
// resend. The path is INFERRED from GET /partners/sub-user.
//
// POST /partners/sub-user
func (s *SubUsersService) Create(ctx context.Context, req SubUserRequest, opts ...CallOption) (*SubUserToken, *Response, error) {
	for field, v := range map[string]string{"partnerUserID": req.PartnerUserID, "firstName": req.FirstName, "lastName": req.LastName} {
		if err := checkText(field, v, true); err != nil {
			return nil, nil, err
		}
	}
	return do[*SubUserToken](ctx, s.client.api, apply(rest.Post(routeSubUsers).WithBody(req).Idempotent(), opts))
}

// SubUser is a partner's sub-user.
type SubUser struct {
	UserID        string `json:"userID"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	UserOwnerID   string `json:"userOwnerID"`
	PartnerUserID string `json:"partnerUserID"`
}

// SubUserPage is a page of sub-users.
type SubUserPage struct {
	TotalRecords    int       `json:"totalRecords"`
	CurrentPage     int       `json:"currentPage"`
	PageRecordStart int       `json:"pageRecordStart"`
	PageRecordEnd   int       `json:"pageRecordEnd"`
	TotalPages      int       `json:"totalPages"`
	SubUsers        []SubUser `json:"subUsers"`
}

// SubUserListOptions are the query of List. Zero values are not
// sent (August's defaults apply).
type SubUserListOptions struct {
	Page     int `url:"page,omitempty"`     // from 1
	PageSize int `url:"pageSize,omitempty"` // 1..1000
}

// MaxSubUserPageSize is the largest page August serves.
const MaxSubUserPageSize = 1000

func (o *SubUserListOptions) validate() error {
	if o == nil {
		return nil
	}
	if o.Page < 0 {
		return access.Invalid("page", "must be 1 or more")
	}
	if o.PageSize < 0 || o.PageSize > MaxSubUserPageSize {
		return access.Invalid("pageSize", "must be 1 to 1000")
	}
	return nil
}

// List returns a page of the caller's sub-users.
//
// GET /partners/sub-user
func (s *SubUsersService) List(ctx context.Context, opts *SubUserListOptions, callOpts ...CallOption) (*SubUserPage, *Response, error) {
	if err := opts.validate(); err != nil {
		return nil, nil, err
	}
	call := rest.Get(routeSubUsers)
	if opts != nil {
		call.WithQuery(opts)
	}
	return do[*SubUserPage](ctx, s.client.api, apply(call, callOpts))
}

// All iterates over every sub-user, fetching pages of pageSize
// (0 for August's default) as it goes. It stops at the first error, which it
// yields. A listing that does not add up is an error too, yielded last: the
// pages' totalRecords differ, or the sub-users seen (each once) are not
// totalRecords, as when sub-users are added while the pages are read. Only
// a listing without that error shows every sub-user.
//
// GET /partners/sub-user
func (s *SubUsersService) All(ctx context.Context, pageSize int, callOpts ...CallOption) iter.Seq2[SubUser, error] {
	return func(yield func(SubUser, error) bool) {
		opts := &SubUserListOptions{Page: 1, PageSize: pageSize}
		if err := opts.validate(); err != nil {
			yield(SubUser{}, err)
			return
		}
		seen := map[string]bool{}
		total := -1
		for {
			page, _, err := s.List(ctx, opts, callOpts...)
			if err != nil {
				yield(SubUser{}, err)
				return
			}
			if total >= 0 && page.TotalRecords != total {
				yield(SubUser{}, fmt.Errorf("august: the sub-user listing changed while it was read (%d, then %d sub-users)", total, page.TotalRecords))
				return
			}
			total = page.TotalRecords
			for _, u := range page.SubUsers {
				seen[u.UserID] = true
				if !yield(u, nil) {
					return
				}
			}
			if len(page.SubUsers) == 0 || opts.Page >= page.TotalPages {
				break
			}
			opts.Page++
		}
		if len(seen) != total {
			yield(SubUser{}, fmt.Errorf("august: the sub-user listing showed %d distinct sub-users of the %d it counts", len(seen), total))
		}
	}
}
