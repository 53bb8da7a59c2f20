package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/model"
	"github.com/rolecall/rolecall/internal/principal"
	"github.com/rolecall/rolecall/internal/protocol"
)

// Call runs operation of service for p as a signed request for it would
// run: its input decoded from params by the service's codec and checked
// against the model (url.Values for query services, IAM and STS; a value
// marshalled to the JSON body for JSON services, ECS), authorized by the
// one authorizer on what the operation's resolver declares, then invoked.
// It is how rolecall's own front ends (the web console) act for a signed-in
// principal: the decision, its record and the error are the API's. r is
// the request the call is made for (its address and transport go into the
// decision); region is where a regional service acts (IAM acts in its
// own). The answer is the operation's output (a pointer to its output
// struct) and the id the call's decisions are recorded under.
func (h *Handler) Call(r *http.Request, p *principal.Principal, service, region, operation string, params any) (out any, requestID string, err error) {
	requestID = h.ids.UUID()
	var (
		binding *api.Service
		op      *model.Operation
		decode  func(in any) *awserr.Error
	)
	switch {
	case h.query[service] != nil:
		qs := h.query[service]
		values, ok := params.(url.Values)
		if !ok {
			return nil, requestID, awserr.InvalidInput("rolecall: %s takes its parameters as a form", service)
		}
		form := protocol.FormOf(cloneWith(values, "Action", operation))
		var aerr *awserr.Error
		if op, aerr = qs.codec().Operation(form); aerr != nil {
			return nil, requestID, aerr
		}
		binding = qs.binding
		decode = func(in any) *awserr.Error { return qs.codec().Decode(op, form, in) }
	case h.json[service] != nil:
		js := h.json[service]
		body, jerr := json.Marshal(params)
		if jerr != nil {
			return nil, requestID, awserr.New(http.StatusBadRequest, "SerializationException", "%v", jerr)
		}
		var aerr *awserr.Error
		if op, aerr = js.codec().Operation(operation); aerr != nil {
			return nil, requestID, aerr
		}
		binding = js.binding
		decode = func(in any) *awserr.Error { return js.codec().Decode(op, body, in) }
	default:
		return nil, requestID, awserr.New(http.StatusBadRequest, "UnknownService", "rolecall does not serve the service %q", service)
	}
	bound, ok := binding.Ops[op.Name]
	if !ok {
		return nil, requestID, awserr.New(http.StatusNotImplemented, "NotImplemented", "rolecall does not implement %s:%s yet", binding.Name, op.Name)
	}
	call, in := bound.NewCall()
	if aerr := decode(in); aerr != nil {
		return nil, requestID, aerr
	}
	*call = api.Call{Account: p.Account, Region: region, RequestID: requestID, Principal: p}
	if binding.Region != "" {
		call.Region = binding.Region
	}
	ctx := authz.WithMeta(r.Context(), authz.MetaOf(r, requestID))
	out, _, err = h.run(ctx, binding, bound, call, in)
	return out, requestID, err
}

// run is what every call of an operation does between decoding its input
// and encoding its answer: the one authorizer decides on what the operation
// declares, then the operation runs. what says which of the two failed.
func (h *Handler) run(ctx context.Context, binding *api.Service, bound *api.Operation, call *api.Call, in any) (out any, what string, err error) {
	if h.authz.Mode() != authz.Off { // off: nothing to resolve, nothing decided
		if err := bound.Authorize(ctx, h.authz, binding.Name, call, in); err != nil {
			if binding.Denied != nil {
				err = binding.Denied(err)
			}
			return nil, "authorization failed", err
		}
	}
	out, err = bound.Invoke(ctx, call, in)
	return out, "operation failed", err
}

// cloneWith is form with key set to value, form itself left alone.
func cloneWith(form url.Values, key, value string) url.Values {
	out := make(url.Values, len(form)+1)
	for k, v := range form {
		out[k] = v
	}
	out.Set(key, value)
	return out
}
