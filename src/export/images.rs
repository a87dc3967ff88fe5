//! Memory images of a mapped network, in `$readmemh` format (one hex word per line).

use crate::map::CoreImage;
use crate::rtl::layout::NeuronWord;
use crate::rtl::layout::{
    AXON_META_BITS, PARAM_BIAS_SHIFT_BITS, PARAM_DECAY_BITS, SYNAPSE_WORD_BITS, THRESHOLD_BITS,
};

/// One image file: its name and contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFile {
    /// File name (matches `export::verilog::IMAGE_MEMORIES`).
    pub name: &'static str,
    /// `$readmemh` text.
    pub contents: String,
}

fn hex_lines(words: impl Iterator<Item = u32>, bits: u32) -> String {
    let digits = bits.div_ceil(4) as usize;
    let mut text = String::new();
    for word in words {
        text.push_str(&format!("{word:0digits$x}\n"));
    }
    text
}

/// The images of every preloadable memory. Each image covers the memory's full depth (unused
/// words are zero) so that no word is left undefined after `$readmemh`.
pub fn memory_images(image: &CoreImage) -> Vec<ImageFile> {
    let shape = image.shape;
    let mut synapse = vec![0u32; shape.axons * shape.groups()];
    for &(addr, word) in &image.synapse_words {
        synapse[addr] = word;
    }
    let padded = |words: &[u32], depth: usize| {
        words
            .iter()
            .copied()
            .chain(std::iter::repeat(0))
            .take(depth)
            .collect::<Vec<_>>()
    };
    let param =
        |pack: fn(&NeuronWord) -> u32| image.neuron_words.iter().map(pack).collect::<Vec<_>>();
    vec![
        ImageFile {
            name: "synapse_sram.hex",
            contents: hex_lines(synapse.into_iter(), SYNAPSE_WORD_BITS),
        },
        ImageFile {
            name: "axon_meta.hex",
            contents: hex_lines(
                padded(&image.axon_words, shape.axons).into_iter(),
                AXON_META_BITS,
            ),
        },
        ImageFile {
            name: "param_decay.hex",
            contents: hex_lines(
                padded(&param(NeuronWord::param_decay), shape.neurons).into_iter(),
                PARAM_DECAY_BITS,
            ),
        },
        ImageFile {
            name: "param_bias_shift.hex",
            contents: hex_lines(
                padded(&param(NeuronWord::param_bias_shift), shape.neurons).into_iter(),
                PARAM_BIAS_SHIFT_BITS,
            ),
        },
        ImageFile {
            name: "param_threshold.hex",
            contents: hex_lines(
                padded(&param(NeuronWord::param_threshold), shape.neurons).into_iter(),
                THRESHOLD_BITS,
            ),
        },
    ]
}
