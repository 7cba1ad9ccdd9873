# ZIS Studio: jq 1.7/1.8 behaviour that jaq's standard library leaves out or does
# differently. These definitions come after jaq's and shadow them. Assignment into null,
# array padding and fractional indices are in the vendored jaq-json (vendor/jaq-json).

# jaq keeps integer literals exactly, as jq built with decNumber does.
def have_decnum: true;
def have_literal_numbers: true;

# Natives kept under another name before they are shadowed.
def _jaq_limit($n; f): limit($n; f);
def _jaq_skip($n; f): skip($n; f);
def _jaq_getpath($p): getpath($p);
def _jaq_implode: implode;
def _jaq_flatten($d): flatten($d);
def _jaq_tojson: tojson;

def limit($n; f):
  if $n < 0 then error("limit doesn't support negative count") else _jaq_limit($n; f) end;
def skip($n; f):
  if $n < 0 then error("skip doesn't support negative count") else _jaq_skip($n; f) end;
def nth($n; f):
  if $n < 0 then error("nth doesn't support negative indices") else first(skip($n; f)) end;
def flatten($d):
  if $d < 0 then error("flatten depth must not be negative") else _jaq_flatten($d) end;

def trimstr($x): ltrimstr($x) | rtrimstr($x);
def _strindices($i): indices($i);

# jq 1.8 conversions: only "true"/"false"; numbers as strtod reads them, whole string.
def toboolean:
  if type == "boolean" then .
  elif . == "true" then true
  elif . == "false" then false
  else error("\(type) (\(tojson)) cannot be parsed as a boolean") end;
def tonumber:
  if type == "number" then .
  elif type == "string" and test("^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$")
  then ltrimstr("+") | (if startswith("-.") then "-0" + .[1:] elif startswith(".") then "0" + . else . end)
     | (if test("\\.([eE]|$)") then sub("\\."; ".0") else . end) | fromjson
  else error("\(type) (\(tojson)) cannot be parsed as a number") end;
def implode:
  if type != "array" then error("implode input must be an array")
  else map(if type != "number" or isnan
           then error("\(type) (\(tojson)) can't be imploded, unicode codepoint needs to be numeric")
           else (if . < 0 then -1 else floor end) | if . < 0 or . > 1114111 or (. >= 55296 and . <= 57343) then 65533 else . end
           end) | _jaq_implode end;

def join($x):
  reduce .[] as $i (null;
    (if . == null then "" else . + $x end)
    + ($i | if . == null then "" elif type == "string" then . else tojson end)
  ) // "";

def from_entries:
  reduce .[] as $x ({};
    . + { ($x | if .key == null then .k // .name // .Name // .K // .Key else .key end
             | if type == "string" then . else tojson end):
          ($x | if has("value") then .value elif has("v") then .v else .Value end) });
def with_entries(f): to_entries | map(f) | from_entries;

# Paths as jq builds them: arrays for numeric steps, deletions from the last path back.
# jq's limit on path length (it keeps the native stack safe too).
def getpath($p): if ($p | length) > 10000 then error("Path too deep") else _jaq_getpath($p) end;
def setpath($p; $x): if ($p | length) > 10000 then error("Path too deep") else getpath($p) = $x end;
def pick(pathexps): . as $top | reduce path(pathexps) as $p (null; setpath($p; $top | getpath($p)));
def _abs_path($p):
  reduce $p[] as $k ({v: ., out: []};
    if ($k | type) == "number" and $k < 0 and (.v | type) == "array"
    then .out += [$k + (.v | length)] | .v = (.v | .[$k])
    else .out += [$k] | .v = (try (.v | .[$k]) catch null)
    end) | .out;
def _delpath($p):
  if $p == [] then null
  elif . == null then null
  elif ($p | length) == 1 then .[$p[0]] |= empty
  else ($p[0]) as $k | if .[$k] == null then . else .[$k] |= _delpath($p[1:]) end
  end;
def delpaths($paths):
  if any($paths[]; length > 10000) then error("Path too deep")
  else reduce ([$paths[] as $p | _abs_path($p)] | sort | reverse)[] as $p (.; _delpath($p))
  end;
def del(f): delpaths([path(f)]);
def leaf_paths: paths(scalars);
def toarray: if type == "array" then . else [.] end;

def IN(s): any(s == .; .);
def IN(src; s): any(src == s; .);
def INDEX(stream; idx_expr): reduce stream as $row ({}; .[$row | idx_expr | tostring] |= $row);
def INDEX(idx_expr): INDEX(.[]; idx_expr);
def JOIN($idx; idx_expr): [.[] | [., $idx[idx_expr]]];
def JOIN($idx; stream; idx_expr): stream | [., $idx[idx_expr]];
def JOIN($idx; stream; idx_expr; join_expr): stream | [., $idx[idx_expr]] | join_expr;

def tostream:
  path(def r: (.[]? | r), .; r) as $p
  | getpath($p)
  | reduce path(.[]?) as $q ([$p, .]; [$p + $q]);
def fromstream(f):
  { x: null, e: false } as $init
  | foreach f as $i ($init;
      if .e then $init else . end
      | if $i | length == 2
        then setpath(["e"]; $i[0] | length == 0) | setpath(["x"] + $i[0]; $i[1])
        else setpath(["e"]; $i[0] | length == 1) end;
      if .e then .x else empty end);
def truncate_stream(stream):
  . as $n | null | stream | . as $input
  | if (.[0] | length) > $n then setpath([0]; .[0][$n:]) else empty end;

def @csv:
  map(if type == "string" then "\"" + (split("\"") | join("\"\"")) + "\""
      elif type == "number" or type == "boolean" then tojson
      elif . == null then ""
      else error("\(type) (\(tojson)) is not valid in a csv row") end)
  | join(",");
def @tsv:
  map(if type == "string"
      then split("\\") | join("\\\\") | split("\t") | join("\\t")
         | split("\n") | join("\\n") | split("\r") | join("\\r")
      elif type == "number" or type == "boolean" then tojson
      elif . == null then ""
      else error("\(type) (\(tojson)) is not valid in a tsv row") end)
  | join("\t");
