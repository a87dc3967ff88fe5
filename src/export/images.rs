//! Memory images of a mapped network, in `$readmemh` format (one hex word per line).

use crate::export::verilog::{learning_registers, LEARNING_REGISTERS_FILE};
use crate::map::CoreImage;
use crate::rtl::layout::NeuronWord;
use crate::rtl::layout::{
    AXON_META_BITS, LEARN_AXON_BITS, LEARN_CONTROL_BITS, LEARN_RULES, LEARN_RULE_WORD_BITS,
    PARAM_BIAS_SHIFT_BITS, PARAM_DECAY_BITS, SYNAPSE_HIGH_BITS, SYNAPSE_WORD_BITS, THRESHOLD_BITS,
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
/// words are zero) so that no word is left undefined after `$readmemh`. A learning image adds
/// the learning core's: the ninth-bit plane, the learning-axon words and its registers
/// ([`learning_images`]).
pub fn memory_images(image: &CoreImage) -> Vec<ImageFile> {
    let mut files = plain_images(image);
    files.extend(learning_images(image));
    files
}

/// The learning core's images of a learning `image` (none for a plain one):
/// `synapse_high.hex` (each word's ninth bits: the lanes' sign bits, as a `Synapse` write sets
/// them, then the learning rows' planes), `learn_axons.hex` and [`LEARNING_REGISTERS_FILE`]
/// (the control word and every rule's two words as `` `define ``s). The post traces start at
/// 0, as block RAM does.
pub fn learning_images(image: &CoreImage) -> Vec<ImageFile> {
    let Some(learning) = &image.learning else {
        return Vec::new();
    };
    let shape = image.shape;
    let words = shape.axons * shape.groups();
    let mut high = vec![0u32; words];
    for &(addr, word) in &image.synapse_words {
        // Bits 7, 15, 23, 31: lane i's sign at bit i.
        high[addr] = (0..4).fold(0, |plane, lane| {
            plane | (((word >> (8 * lane + 7)) & 1) << lane)
        });
    }
    for &(addr, plane) in &learning.high_words {
        high[addr] = plane;
    }
    let mut axons = learning.axon_words.clone();
    axons.resize(shape.axons, 0);
    // (width, value) in the order of `learning_registers`: the control word, then each
    // rule's decays and rates (30-bit registers; unused rules 0).
    let mut values = vec![(LEARN_CONTROL_BITS, learning.control.pack())];
    for rule in 0..LEARN_RULES {
        let (decays, rates) = learning
            .rules
            .get(rule)
            .map_or((0, 0), |words| (words.decays, words.rates));
        values.push((LEARN_RULE_WORD_BITS, decays));
        values.push((LEARN_RULE_WORD_BITS, rates));
    }
    let mut defines = String::from(
        "// Power-up values of the learning core's registers for NEUROFAB_MEMORY_IMAGES\n\
         // (control word, then each rule's decays and rates; layouts in rtl::layout).\n",
    );
    for ((_, name), (bits, value)) in learning_registers().iter().zip(values) {
        defines.push_str(&format!("`define {name} {bits}'h{value:x}\n"));
    }
    vec![
        ImageFile {
            name: "synapse_high.hex",
            contents: hex_lines(high.into_iter(), SYNAPSE_HIGH_BITS),
        },
        ImageFile {
            name: "learn_axons.hex",
            contents: hex_lines(axons.into_iter(), LEARN_AXON_BITS),
        },
        ImageFile {
            name: LEARNING_REGISTERS_FILE,
            contents: defines,
        },
    ]
}

/// The plain core's images.
fn plain_images(image: &CoreImage) -> Vec<ImageFile> {
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
