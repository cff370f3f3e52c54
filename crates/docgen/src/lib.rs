//! Official documents (执法文书) as PDF, typeset by typst.
//!
//! This crate is its own workspace member because typst is the heaviest dependency of the
//! system: kept apart, it compiles once and does not rebuild when the application changes.
//!
//! Nothing here looks for fonts on the machine. The caller passes the font files (the OFL CJK
//! face the repository ships, plus any licensed faces a bureau drops into its fonts folder), so
//! a PDF renders the same on a server without any fonts installed. The document's data comes in
//! as one JSON text, read by the template as `json(bytes(sys.inputs.data))`.

use std::sync::Arc;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Str};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The fonts documents may use, loaded once and shared between renders.
#[derive(Clone)]
pub struct Fonts {
    book: Arc<LazyHash<FontBook>>,
    fonts: Arc<Vec<Font>>,
}

impl Fonts {
    /// Loads every face of every file given (a `.ttc` holds several). Files that are not
    /// fonts are skipped; an empty result is an error, since nothing could be typeset.
    pub fn load(files: impl IntoIterator<Item = Vec<u8>>) -> Result<Fonts, String> {
        let mut fonts = Vec::new();
        for data in files {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        if fonts.is_empty() {
            return Err("no usable font was given".to_owned());
        }
        Ok(Fonts { book: Arc::new(LazyHash::new(FontBook::from_fonts(&fonts))), fonts: Arc::new(fonts) })
    }

    /// The family names available, for the settings page and the tests.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self.book.families().map(|(name, _)| name.to_owned()).collect();
        names.dedup();
        names
    }
}

struct DocWorld {
    library: LazyHash<Library>,
    fonts: Fonts,
    main: Source,
    today: (i32, u8, u8),
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            // Templates read no files: everything comes through `sys.inputs`.
            Err(FileError::AccessDenied)
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(self.today.0, self.today.1, self.today.2)
    }
}

/// A typeset document: the PDF, and its text line by line for checks and snapshots.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub text: String,
    pub pages: usize,
}

/// Typesets `template` (typst markup) with `data` (a JSON text) into a PDF. `today` is the
/// document date typst's `datetime.today()` returns: the caller's clock, never the machine's.
pub fn render(template: &str, data: &str, fonts: &Fonts, today: (i32, u8, u8)) -> Result<Rendered, String> {
    let inputs: Dict = [(Str::from("data"), Str::from(data).into_value())].into_iter().collect();
    let path = VirtualPath::new("/document.typ").map_err(|e| format!("{e:?}"))?;
    let id = RootedPath::new(VirtualRoot::Project, path).intern();
    let world = DocWorld {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        fonts: fonts.clone(),
        main: Source::new(id, template.to_owned()),
        today,
    };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| describe(&errors))?;
    let options = typst_pdf::PdfOptions { ident: typst::foundations::Smart::Auto, ..Default::default() };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| describe(&errors))?;
    let mut text = String::new();
    for (index, page) in document.pages().iter().enumerate() {
        if index > 0 {
            text.push_str("\n\u{c}\n");
        }
        let mut runs = Vec::new();
        collect_text(&page.frame, 0.0, 0.0, &mut runs);
        text.push_str(&lines(runs));
    }
    Ok(Rendered { pdf, text, pages: document.pages().len() })
}

/// Text runs of a frame with their page position (points), groups' offsets applied.
fn collect_text(frame: &Frame, dx: f64, dy: f64, out: &mut Vec<(f64, f64, String)>) {
    for (point, item) in frame.items() {
        let (x, y) = (dx + point.x.to_pt(), dy + point.y.to_pt());
        match item {
            FrameItem::Group(group) => collect_text(&group.frame, x, y, out),
            FrameItem::Text(run) => out.push((y, x, run.text.to_string())),
            _ => {}
        }
    }
}

/// Runs on the same baseline (within a point) joined left to right; lines top to bottom.
fn lines(mut runs: Vec<(f64, f64, String)>) -> String {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<(f64, String)> = Vec::new();
    for (y, _, text) in runs {
        match out.last_mut() {
            Some((line_y, line)) if (y - *line_y).abs() < 1.0 => line.push_str(&text),
            _ => out.push((y, text)),
        }
    }
    out.into_iter().map(|(_, l)| l).collect::<Vec<_>>().join("\n")
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")
}
