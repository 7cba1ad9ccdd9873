//! Stable diagnostic codes. A code never changes meaning; new checks get new codes.

use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// ZIS would reject the bundle or the flow would fail.
    Error,
    /// Allowed, but probably not what was meant, or not portable.
    Warning,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $id:literal, $sev:ident, $title:literal; )*) => {
        /// A diagnostic code such as `E012`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed, e.g. `E012`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$name => $id,)* }
            }

            /// Its severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }

            /// A one-line title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }
        }
    };
}

codes! {
    /// The text is not valid JSON.
    JsonSyntax = "E001", Error, "JSON syntax error";
    /// The bundle or definition is not a JSON object.
    NotAnObject = "E002", Error, "not a JSON object";
    /// `zis_template_version` missing.
    TemplateVersion = "E003", Error, "missing zis_template_version";
    /// A field has the wrong JSON type.
    WrongType = "E004", Error, "wrong JSON type";
    /// A required field is missing.
    MissingField = "E005", Error, "required field missing";
    /// A resource `type` ZIS does not know.
    UnknownResourceType = "E006", Error, "unknown resource type";
    /// No flow or no job spec in the bundle.
    MissingResourceKind = "E007", Error, "bundle lacks a flow or a job spec";
    /// A job spec's `flow_name` names no flow of the bundle.
    UnknownFlow = "E008", Error, "job spec refers to an unknown flow";
    /// An `ActionName` is neither built in nor a custom action of the bundle.
    UnknownAction = "E009", Error, "unknown action";
    /// References use more than one integration key.
    IntegrationKey = "E010", Error, "integration keys differ";
    /// A `zis:...` name is malformed.
    QualifiedName = "E011", Error, "malformed qualified name";
    /// `StartAt`, `Next`, `Default` or a Catch `Next` names no state.
    UnknownState = "E012", Error, "transition to an unknown state";
    /// A state no path from `StartAt` reaches.
    Unreachable = "E013", Error, "unreachable state";
    /// No state ends the flow.
    NoTerminal = "E014", Error, "no terminal state";
    /// `End` is not `true`.
    EndNotTrue = "E015", Error, "End must be true";
    /// Both `Next` and `End`.
    NextAndEnd = "E016", Error, "both Next and End";
    /// Neither `Next` nor `End`.
    NoTransition = "E017", Error, "neither Next nor End";
    /// A state type the mode does not support (Task and Parallel in ZIS).
    UnsupportedState = "E018", Error, "state type not supported";
    /// `Type` missing or unknown.
    UnknownStateType = "E019", Error, "unknown state type";
    /// A Choice rule is malformed.
    ChoiceRule = "E020", Error, "malformed Choice rule";
    /// A Choice operator ZIS does not support.
    UnsupportedOperator = "E021", Error, "Choice operator not supported by ZIS";
    /// A Choice operand of the wrong type.
    OperandType = "E022", Error, "Choice operand of the wrong type";
    /// `ErrorEquals` not as the mode allows.
    ErrorEquals = "E023", Error, "invalid ErrorEquals";
    /// `Catch` on a state type that cannot have it.
    CatchNotAllowed = "E024", Error, "Catch not allowed on this state";
    /// A Map state breaks a rule.
    MapRule = "E025", Error, "invalid Map state";
    /// A Wait state breaks a rule.
    WaitRule = "E026", Error, "invalid Wait state";
    /// A timestamp is not RFC 3339.
    Timestamp = "E027", Error, "invalid timestamp";
    /// A path is invalid where it stands.
    InvalidPath = "E028", Error, "invalid path";
    /// A `.$` value is neither a path nor a `{{$.x}}` template.
    DollarValue = "E029", Error, "invalid .$ value";
    /// A Jq `expr` does not compile.
    JqCompile = "E030", Error, "jq expression does not compile";
    /// Two keys become the same once `.$` is stripped.
    DuplicateDollarKey = "E031", Error, "duplicate key after stripping .$";
    /// A Fail state breaks a rule.
    FailRule = "E032", Error, "invalid Fail state";
    /// An HTTP action's method is missing or unknown.
    HttpMethod = "E033", Error, "invalid HTTP method";
    /// An HTTP action has neither or both of `url` and `path`.
    HttpTarget = "E034", Error, "invalid url or path";
    /// `headers` or `query` is not a list of key/value objects.
    HttpKeyValue = "E035", Error, "invalid headers or query";
    /// Succeed, Fail or Choice with `Next` or `End`.
    TerminalWithTransition = "E036", Error, "this state cannot have Next or End";
    /// A state name longer than 80 characters.
    StateNameTooLong = "E037", Error, "state name too long";
    /// A field the state type does not allow (ASL mode).
    FieldNotAllowed = "E038", Error, "field not allowed";
    /// A Task state breaks a rule (ASL mode).
    TaskRule = "E039", Error, "invalid Task state";
    /// A JSONata expression or QueryLanguage problem (ASL mode).
    Jsonata = "E040", Error, "invalid JSONata";
    /// Two states share a name (ASL mode).
    DuplicateStateName = "E041", Error, "duplicate state name";
    /// A Parallel state breaks a rule (ASL mode).
    ParallelRule = "E042", Error, "invalid Parallel state";
    /// A built-in action lacks a required parameter.
    ActionParameter = "E043", Error, "built-in action parameter missing";
    /// A `{{ }}` placeholder is malformed.
    Placeholder = "E044", Error, "invalid placeholder";

    /// An unknown `zis_template_version`.
    TemplateVersionUnknown = "W001", Warning, "unknown template version";
    /// A property ZIS does not document.
    UnknownProperty = "W002", Warning, "unknown property";
    /// A name breaks ZIS's documented length or charset rules.
    NameRules = "W003", Warning, "name breaks ZIS naming rules";
    /// `queryParams` instead of `query`.
    QueryParams = "W004", Warning, "queryParams is not documented";
    /// A field ZIS ignores or does not support on this state.
    IgnoredField = "W005", Warning, "field not supported by ZIS";
    /// An Action without `ResultPath` replaces all of `$`.
    NoResultPath = "W006", Warning, "Action result replaces the whole state data";
    /// A JSON key occurs twice in one object.
    DuplicateKey = "W007", Warning, "duplicate JSON key";
    /// A resource key differs from its `properties.name`.
    KeyNameMismatch = "W008", Warning, "resource key differs from its name";
    /// A Choice without `Default`.
    NoDefault = "W009", Warning, "Choice without Default";
    /// A `{{ }}` placeholder in a Parameters value without `.$`.
    LiteralPlaceholder = "W010", Warning, "placeholder in a literal value";
    /// A Catch without `ResultPath` replaces all of `$`.
    CatchResultPath = "W011", Warning, "Catch result replaces the whole state data";
    /// A custom action no flow uses.
    UnusedAction = "W012", Warning, "unused custom action";
    /// A flow no job spec starts.
    UntriggeredFlow = "W013", Warning, "flow not started by any job spec";
    /// A connection name ZIS reserves or that breaks its rules.
    ConnectionName = "W014", Warning, "questionable connection name";
    /// A state no path reaches (ZIS mode; whether ZIS rejects it is unconfirmed).
    UnreachableZis = "W015", Warning, "unreachable state";
    /// A path that cannot resolve on the data's inferred shape (`zis_engine::shape`).
    PathNotFound = "W016", Warning, "path cannot resolve";
    /// A path that may not resolve: a field absent on some way, or a value that may be null.
    PathMayFail = "W017", Warning, "path may be null or absent";
    /// A Choice comparing a value of another type than its operator takes.
    ChoiceType = "W018", Warning, "Choice compares a value of another type";
    /// A Map ItemsPath whose value is not an array.
    ItemsNotArray = "W019", Warning, "Map ItemsPath is not an array";
}
