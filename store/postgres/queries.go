package postgres

import (
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// queries writes the Store's SQL for its schema. The SQL in this package
// is written with placeholders:
//
//	{s}   the schema, quoted
//	{now} the server's clock, in milliseconds since the epoch
//	{seq} the sequence of fencing tokens, as a regclass literal
//
// The Store takes every time it sets from the server's clock, so that
// processes whose clocks differ agree on when a lease or a dedupe key
// expires.
type queries struct {
	ident string // the schema, quoted
	rep   *strings.Replacer
	cache sync.Map // SQL with placeholders → SQL for the schema
}

func newQueries(schema string) *queries {
	ident := pgx.Identifier{schema}.Sanitize()
	seq := pgx.Identifier{schema, "tokens"}.Sanitize()
	return &queries{
		ident: ident,
		rep: strings.NewReplacer(
			"{s}", ident,
			"{now}", "floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint",
			"{seq}", "'"+strings.ReplaceAll(seq, "'", "''")+"'::regclass",
		),
	}
}

// r returns sql written for the schema. The same text is returned for
// the same sql, so that pgx's cache of prepared statements keeps it.
func (q *queries) r(sql string) string {
	if v, ok := q.cache.Load(sql); ok {
		return v.(string)
	}
	v, _ := q.cache.LoadOrStore(sql, q.rep.Replace(sql))
	return v.(string)
}
